"""Long engine calls (build, push, pull, commit, copy) sent through the client's HTTP session by hand.

docker-py's own methods for these use the client's timeout (the app's client has 4 s, so a quiet `RUN` step or
a large commit would time out) and hide the HTTP response (dropping their generator leaves dockerd building).
Here reads have no timeout and `cancel()` shuts the socket down, which is how dockerd learns to stop.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from urllib.parse import quote

from tui.services.errors import connection_problem
from tui.services.heavy_imports import heavy_imports

if TYPE_CHECKING:
    # Imported where used: the docker SDK (requests, urllib3 and all) is not needed before the first frame.
    import docker
    import requests

CONNECT_TIMEOUT_S = 10
T = TypeVar("T")


class ImageError(Exception):
    """An image operation failed; the message says why in words."""


class EngineReplyError(ImageError):
    """dockerd answered the request itself with an error status (as opposed to an error inside its stream)."""


class _Cancelled(Exception):
    """Raised inside the request body to stop an upload that was cancelled."""


def engine_path(template: str, *names: str) -> str:
    """An API path with image or container names quoted as dockerd expects (slashes and colons kept)."""
    return template.format(*(quote(name, safe="/:") for name in names))


def engine_unreachable(exc: BaseException) -> str:
    problem = connection_problem(exc) or f"{type(exc).__name__}: {exc}"
    if problem == "no such socket":
        problem += " (is dockerd running?)"
    return f"cannot reach the Docker engine: {problem}"


@dataclass(frozen=True)
class EngineRequest:
    """What a call sends, given only when it runs: preparing it (listing a build context, asking credential
    helpers) can be slow or fail, and belongs in the worker thread that iterates the call."""

    params: Mapping[str, str | None] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Iterable[bytes] | None = None
    json_body: Any = None


class EngineCall:
    """One request to the engine whose reply is a stream of JSON messages (or one JSON document)."""

    def __init__(self, api: docker.APIClient, method: str, path: str) -> None:
        self._api = api
        self._method = method
        self._url = f"{api.base_url}/v{api.api_version}{path}"
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self.cancelled = False

    def messages(self, request: EngineRequest) -> Iterator[dict[str, Any]]:
        """The decoded messages as dockerd sends them; ends quietly after cancel(), raises ImageError otherwise."""
        response = self._send(request)
        if response is None:
            return
        try:
            # chunk_size=None: each message as it arrives (requests allows it; some releases of its stubs say int)
            for line in cast(Any, response).iter_lines(chunk_size=None):
                if line.strip():
                    yield json.loads(line)
        except Exception as exc:
            if self.cancelled:
                return  # the shut-down socket fails the read in whatever way; that is the cancel working
            with heavy_imports():
                import requests

            if isinstance(exc, requests.RequestException):
                reason = connection_problem(exc) or "the reply ended early"
                raise ImageError(f"lost the connection to the Docker engine midway: {reason} (is dockerd up?)") from exc
            raise
        finally:
            response.close()

    def result(self, request: EngineRequest) -> dict[str, Any]:
        """The whole reply of a call that answers once (commit, archive upload); {} when it has no body."""
        response = self._send(request)
        if response is None:
            raise ImageError("cancelled")
        with response:
            return response.json() if response.content.strip() else {}

    def cancel(self) -> None:
        """End the call from any thread: dockerd sees the connection close and stops the build, push or pull."""
        with self._lock:
            self.cancelled = True
            response = self._response
        if response is not None:
            _shut_down(response)

    def _send(self, request: EngineRequest) -> requests.Response | None:
        with heavy_imports():
            import requests

        if self.cancelled:
            return None
        try:
            response = self._api.request(
                self._method,
                self._url,
                params={key: value for key, value in request.params.items() if value is not None},
                headers=dict(request.headers),
                data=None if request.body is None else self._stop_when_cancelled(request.body),
                json=request.json_body,
                stream=True,
                timeout=(CONNECT_TIMEOUT_S, None),
            )
        except (requests.RequestException, _Cancelled) as exc:
            if self.cancelled:
                return None
            raise ImageError(engine_unreachable(exc)) from exc
        with self._lock:
            self._response = response
            cancelled = self.cancelled
        if cancelled:
            _shut_down(response)
            return None
        if response.status_code >= 400:
            with response:
                raise EngineReplyError(_error_text(response))
        return response

    def _stop_when_cancelled(self, body: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in body:
            if self.cancelled:
                raise _Cancelled
            yield chunk


def _shut_down(response: requests.Response) -> None:
    """Shut the socket down rather than only closing it: a close does not wake a thread blocked reading it."""
    connection = response.raw.connection if response.raw is not None else None
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed by the other side
            sock.shutdown(socket.SHUT_RDWR)
    response.close()


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json()["message"])
    except (ValueError, KeyError, TypeError):
        return response.text.strip() or f"HTTP {response.status_code} {response.reason}"


class EventStream(Generic[T]):
    """The events of a long engine call: iterate in a worker thread, cancel() from any thread."""

    def __init__(self, events: Iterator[T], call: EngineCall) -> None:
        self._events = events
        self._call = call

    def __iter__(self) -> EventStream[T]:
        return self

    def __next__(self) -> T:
        return next(self._events)

    def cancel(self) -> None:
        self._call.cancel()
