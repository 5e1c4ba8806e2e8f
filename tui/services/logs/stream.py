"""Follow one container's log through the API server, as a generator of StreamEvents, without losing or repeating
a line when the connection drops.

- Lines are requested with `timestamps=true`; the stream remembers the last line's timestamp and how many lines
  it received at exactly that timestamp.
- A dropped connection is reopened with `sinceTime` (whole seconds, so rounded down); the lines the server resends
  are dropped: those older than the last one received and the ones at its timestamp already received. If the
  server no longer has lines the stream expected (the log was rotated, the container restarted meanwhile), a
  StreamGap says lines may be missing there.
- When the server ends a follow stream, the pod says why: the container exited (the log is complete), it still
  runs (resume), or it waits to be restarted (wait, then follow the new container: StreamRestarted marks where its
  lines start; that the old container's last lines are not resent is then no gap).
- `stop()` from another thread shuts the open HTTP response down, so the reading thread ends at once.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    StreamConnected,
    StreamEnded,
    StreamEvent,
    StreamGap,
    StreamRestarted,
    StreamTrouble,
    StreamWaiting,
    classify_refusal,
    end_verdict,
    restart_count,
    restart_reason,
    runs_a_newer_container,
    since_time_param,
    timestamp_ns,
    timestamp_token,
)
from tui.services.errors import connection_problem
from tui.services.kube.kube import KubeService
from tui.services.logs.body import body_reader

CONNECT_TIMEOUT_S = 10.0
FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 10.0
WAITING_RETRY_S = 1.0
LONGEST_WAITING_RETRY_S = 5.0
STALE_STATUS_S = 4.0  # how long a pod that still says the ended run goes on is read again
STATUS_POLL_S = 0.25
MAX_PENDING_LINE = 16 * 1024 * 1024  # a "line" longer than this without a newline is passed on as it is


def keepalive_socket_options() -> list[tuple[int, int, int]]:
    """TCP keepalive as client-go sets it (30 s idle, 15 s probes), so a silently dead link is noticed even on a
    quiet log (a follow stream has no read timeout: a log may say nothing for hours)."""
    options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1), (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 9)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    return options


def stream_api_client(kube: KubeService) -> k8s.ApiClient:
    """An ApiClient of its own for one long-lived stream (it holds a connection for as long as it follows)."""
    shared_config = kube.new_api_client()
    configuration = shared_config.configuration
    shared_config.close()  # type: ignore[no-untyped-call]
    configuration.socket_options = keepalive_socket_options()
    return k8s.ApiClient(configuration)


class _Sockets:
    """The sockets of one stream's connections, so that `stop()` can cut a request that still waits for the
    server's first byte (a log with no line yet: the server does not even send headers until there is one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._cut = False

    def track(self, api: k8s.ApiClient) -> None:
        """Record every socket the client's connections to its server open from now on."""
        pool = api.rest_client.pool_manager.connection_from_url(api.configuration.host)
        sockets = self

        class Tracked(pool.ConnectionCls):  # type: ignore[misc, name-defined]
            def connect(self) -> None:
                super().connect()
                sockets.add(self.sock)

        pool.ConnectionCls = Tracked

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            cut = self._cut
        if cut:  # stop() came while this connection was being made
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@dataclass
class LastTimestamp:
    """The last timestamp received and how many lines carried exactly it (what a resume must not repeat)."""

    token: bytes = b""
    run: int = 0

    def note(self, data: bytes) -> None:
        """Update from a block of complete lines (timestamps ascending, as a log file has them)."""
        end = len(data) - 1
        start = data.rfind(b"\n", 0, end) + 1
        token = timestamp_token(data[start:end])
        if not token:
            return
        prefix = token + b" "
        if data.startswith(prefix):  # the first line has the last one's timestamp: so has every line between
            run = data.count(b"\n") + (self.run if token == self.token else 0)
        else:
            run = 1
            while start > 0:
                previous = data.rfind(b"\n", 0, start - 1) + 1
                if not data.startswith(prefix, previous):
                    break
                run += 1
                start = previous
        self.token, self.run = token, run


class ResumeDedupe:
    """Drops what a resumed stream resends; notices when the server no longer has what it should resend."""

    def __init__(self, tail: LastTimestamp) -> None:
        self.token = tail.token
        self.ns = timestamp_ns(tail.token)
        self.left = tail.run
        self.done = False
        self.gap = False

    def _order(self, token: bytes) -> int:
        if len(token) == len(self.token) and token.endswith(b"Z") and self.token.endswith(b"Z"):
            return (token > self.token) - (token < self.token)
        ns = timestamp_ns(token)
        if ns is None or self.ns is None:
            return 1
        return (ns > self.ns) - (ns < self.ns)

    def feed(self, data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines.pop()
        for index, line in enumerate(lines):
            order = self._order(timestamp_token(line))
            if order < 0:
                continue
            if order == 0 and self.left > 0:
                self.left -= 1
                continue
            self.done = True
            self.gap = self.left > 0
            return b"\n".join(lines[index:]) + b"\n"
        return b""


class LogStream:
    """One container's log, followed (or, for `previous`, read once) from `log_range` on."""

    def __init__(
        self,
        kube: KubeService,
        target: LogTarget,
        source: int,
        log_range: LogRange,
        previous: bool = False,
        api_client: Callable[[], k8s.ApiClient] | None = None,
        resume: LastTimestamp | None = None,
    ) -> None:
        """`resume`: the last line already had (a run's archive): the stream starts after it."""
        self.kube = kube
        self.target = target
        self.source = source
        self.log_range = log_range
        self.previous = previous
        self._make_client = api_client or (lambda: stream_api_client(kube))
        self._api: k8s.ApiClient | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._response: Any = None
        self._sockets = _Sockets()
        self._tail = resume or LastTimestamp()
        self._since_ns: int | None = None
        self._connected_once = False
        self._restarting = False  # the stream ended because the container exited; it will be restarted
        self._restarts: int | None = None  # the container's restart count when last seen

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()  # unblocks a read in progress on the stream thread
            with contextlib.suppress(Exception):
                response.close()
        self._sockets.cut()  # also a request still waiting for the server's answer

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def events(self) -> Iterator[StreamEvent]:
        retry = FIRST_RETRY_S
        waiting = WAITING_RETRY_S
        restart_wait = WAITING_RETRY_S
        if not self.previous:  # the run followed, to tell a later one from it when the stream ends
            with contextlib.suppress(Exception):
                self._restarts = restart_count(self._read_pod(), self.target.container)
        try:
            while not self.stopped:
                try:
                    response, dedupe = self._open()
                except ApiException as exc:
                    if self.stopped:
                        return
                    message = _api_message(exc) or self.kube.explain(exc)
                    verdict = classify_refusal(exc.status or 0, message, self.previous)
                    if verdict == "ended":
                        yield StreamEnded(self.source, message)
                        return
                    if verdict == "waiting":
                        yield StreamWaiting(self.source, message, waiting)
                        self._stopped.wait(waiting)
                        waiting = min(waiting * 2, LONGEST_WAITING_RETRY_S)
                        continue
                    yield StreamTrouble(self.source, message, retry)
                    self._stopped.wait(retry)
                    retry = min(retry * 2, LONGEST_RETRY_S)
                    continue
                except Exception as exc:
                    if self.stopped:
                        return
                    yield StreamTrouble(self.source, self.kube.explain(exc), retry)
                    self._stopped.wait(retry)
                    retry = min(retry * 2, LONGEST_RETRY_S)
                    continue
                yield StreamConnected(self.source, resumed=dedupe is not None)
                self._connected_once = True
                retry, waiting = FIRST_RETRY_S, WAITING_RETRY_S
                try:
                    yield from self._read(response, dedupe)
                except Exception as exc:
                    if self.stopped:
                        return
                    yield StreamTrouble(self.source, f"stream dropped: {_drop_reason(exc)}", retry)
                    self._stopped.wait(retry)
                    retry = min(retry * 2, LONGEST_RETRY_S)
                    continue
                finally:
                    self._forget(response)
                if self.stopped:
                    return
                if self.previous:
                    yield StreamEnded(self.source, "end of the previous container's log")
                    return
                reason, restarting, restarted = self._why_ended()
                if reason is not None:
                    yield StreamEnded(self.source, reason)
                    return
                if restarting is not None:
                    # Asked again until the new container runs: meanwhile the server resends the old one's log,
                    # which the resume drops (nothing new), so this waits a little longer each time.
                    self._restarting = True
                    yield StreamWaiting(self.source, f"the container {restarting}; it will be restarted", restart_wait)
                    self._stopped.wait(restart_wait)
                    restart_wait = min(restart_wait * 2, LONGEST_WAITING_RETRY_S)
                    continue
                restart_wait = WAITING_RETRY_S
                if restarted:  # already runs again: its first lines are marked as a restart, not as a gap
                    self._restarting = True
                    continue
                yield StreamTrouble(self.source, "stream ended while the container runs; resuming", FIRST_RETRY_S)
                self._stopped.wait(FIRST_RETRY_S)
        finally:
            self._close_client()

    # ---------------------------------------------------------------- requests

    def _api_client(self) -> k8s.ApiClient:
        with self._lock:
            if self._api is None:
                self._api = self._make_client()
                self._sockets.track(self._api)
            return self._api

    def _close_client(self) -> None:
        with self._lock:
            api, self._api = self._api, None
        if api is not None:
            with contextlib.suppress(Exception):
                api.close()  # type: ignore[no-untyped-call]

    def _open(self) -> tuple[Any, ResumeDedupe | None]:
        """Open the log request; a resume asks from the last timestamp received (its dedupe drops repeats)."""
        query: list[tuple[str, str]] = [("container", self.target.container), ("timestamps", "true")]
        dedupe: ResumeDedupe | None = None
        if self.previous:
            query.append(("previous", "true"))
        else:
            query.append(("follow", "true"))
        last_ns = timestamp_ns(self._tail.token) if self._tail.token else None
        if last_ns is not None:
            query.append(("sinceTime", since_time_param(last_ns)))
            dedupe = ResumeDedupe(self._tail)
        elif self._connected_once:  # connected before but nothing came: everything the log has now is new
            if self._since_ns is not None:
                query.append(("sinceTime", since_time_param(self._since_ns)))
        else:
            if self.log_range.since_seconds is not None:
                self._since_ns = time.time_ns() - self.log_range.since_seconds * 1_000_000_000
                query.append(("sinceSeconds", str(self.log_range.since_seconds)))
            if self.log_range.tail_lines is not None:
                query.append(("tailLines", str(self.log_range.tail_lines)))
        response = self._request(query)
        with self._lock:
            self._response = response
        if self.stopped:  # stop() ran between the request and the line above
            self._forget(response)
        return response, dedupe

    def _request(self, query: list[tuple[str, str]]) -> Any:
        """The log request's open response (its body not read yet); an ApiException when the server refuses."""
        api = self._api_client()
        request = api.param_serialize(
            method="GET",
            resource_path="/api/v1/namespaces/{namespace}/pods/{name}/log",
            path_params={"namespace": self.target.namespace, "name": self.target.pod},
            query_params=query,
            header_params={"Accept": "text/plain, */*"},
            auth_settings=["BearerToken"],
        )
        rest = api.call_api(*request, _request_timeout=(CONNECT_TIMEOUT_S, None))
        response = rest.response
        if not 200 <= rest.status <= 299:
            try:
                rest.read()  # type: ignore[no-untyped-call]
                raise ApiException.from_response(http_resp=rest, body=None, data=None)
            finally:
                response.release_conn()
        return response

    def _forget(self, response: Any) -> None:
        """Done with a response: its connection is closed, never reused (its body was read past urllib3)."""
        with self._lock:
            if self._response is response:
                self._response = None
        with contextlib.suppress(Exception):
            response.close()

    def _read(self, response: Any, dedupe: ResumeDedupe | None) -> Iterator[StreamEvent]:
        """Complete lines as they come, in blocks of whatever one read returned."""
        pending = b""
        read = body_reader(response)
        while not self.stopped:
            data = read()
            if not data:
                break
            if pending:
                data = pending + data
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) < MAX_PENDING_LINE:
                pending = data
                continue
            if cut == 0:
                data, pending = data + b"\n", b""
            else:
                data, pending = data[:cut], data[cut:]
            if dedupe is not None and not dedupe.done:
                data = dedupe.feed(data)
                if dedupe.gap and not self._restarting:
                    yield StreamGap(self.source, "the server no longer had the lines before the reconnect "
                                    "(log rotated or container restarted): lines may be missing here")  # fmt: skip
                if not data:
                    continue
            if self._restarting:  # the first lines of the new container
                self._restarting = False
                yield StreamRestarted(self.source)
            self._tail.note(data)
            yield LogChunk(self.source, data, data.count(b"\n"))
        if pending and not self.stopped:  # the log ended without a final newline
            data = pending + b"\n"
            if dedupe is not None and not dedupe.done:
                data = dedupe.feed(data)
            if data:
                if self._restarting:
                    self._restarting = False
                    yield StreamRestarted(self.source)
                self._tail.note(data)
                yield LogChunk(self.source, data, 1)

    def _why_ended(self) -> tuple[str | None, str | None, bool]:
        """After the server ended the stream: (why the log is complete, or None; why the container does not run now
        although it will again, or None; whether it already runs again, a run after the one followed).

        The kubelet ends a follow stream when the container exits, but the pod can say for a second or two more
        that the run goes on: it is read again until it says otherwise, or STALE_STATUS_S passed."""
        container = self.target.container
        known = self._restarts
        deadline = time.monotonic() + STALE_STATUS_S
        while True:
            try:
                pod = self._read_pod()
            except ApiException as exc:
                return (end_verdict(None, container) if exc.status == 404 else None), None, False
            except Exception:
                return None, None, False
            reason, restarting = end_verdict(pod, container), restart_reason(pod, container)
            self._restarts = restart_count(pod, container)
            counted = known is not None and self._restarts is not None and self._restarts > known
            last_ns = timestamp_ns(self._tail.token) if self._tail.token else None
            restarted = counted or runs_a_newer_container(pod, container, last_ns)
            if reason or restarting or restarted or time.monotonic() >= deadline:
                return reason, restarting, restarted
            if self._stopped.wait(STATUS_POLL_S):
                return None, None, False

    def _read_pod(self) -> dict[str, Any]:
        response: Any = k8s.CoreV1Api(self._api_client()).read_namespaced_pod(
            self.target.pod, self.target.namespace, _preload_content=False, _request_timeout=CONNECT_TIMEOUT_S
        )
        pod: dict[str, Any] = json.loads(response.data)
        return pod


def _api_message(exc: ApiException) -> str:
    for body in (exc.body, getattr(exc, "data", None)):
        if not body:
            continue
        try:
            decoded: Any = json.loads(body)
        except (TypeError, ValueError):
            return str(body).strip()[:300]
        if isinstance(decoded, dict) and decoded.get("message"):
            return str(decoded["message"])
    return ""


def _drop_reason(exc: BaseException) -> str:
    problem = connection_problem(exc)
    if problem:
        return problem
    name = type(exc).__name__
    if name in ("ProtocolError", "IncompleteRead", "InvalidChunkLength", "ConnectionResetError"):
        return "connection lost"
    return f"{name}: {exc}"
