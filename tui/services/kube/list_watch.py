"""List, then watch: what the pod list and the Events view share to follow a core/v1 resource.

- list (paged), then watch from the list's resourceVersion, with bookmarks;
- a watch that ends normally is resumed from the last resourceVersion seen;
- 410 Gone (the version is too old): list again at once; any other failure: say it, back off, list again (the new
  list replaces every row);
- `stop()` from any thread shuts the open watch response down, so the thread ends at once.

A subclass says what a list yields (`_list`), what a watched object becomes (`_changed`) and what a failure says
(`_trouble`); an UpdateBuffer hands the updates to the UI thread.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES, KubeService

CONNECT_TIMEOUT_S = 5.0
PAGE_TIMEOUT_S = 60.0
WATCH_SECONDS = 240  # the server ends each watch after this; it is then resumed
READ_TIMEOUT_S = WATCH_SECONDS + 30.0  # bookmarks arrive about once a minute, so silence this long is a dead link

Update = TypeVar("Update")
Row = TypeVar("Row")
Trouble = TypeVar("Trouble")


def resource_path(resource: str, namespace: str) -> str:
    """The path of a core/v1 resource's list in `namespace` (or in all of them)."""
    if namespace == ALL_NAMESPACES:
        return f"/api/v1/{resource}"
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/{resource}"


def request_list(kube: KubeService, path: str, timeout: Any, **query: object) -> Any:
    """A list or watch request; the urllib3 response, unread (the caller reads and releases it). A query value
    that is None or "" is left out (no selector)."""
    return kube.get(path, [(key, value) for key, value in query.items() if value not in (None, "")], timeout)


def list_page(kube: KubeService, path: str, token: str | None, **query: object) -> bytes:
    """One page of a list (its JSON): the first when `token` is None, else the one that continues it."""
    response = request_list(kube, path, (CONNECT_TIMEOUT_S, PAGE_TIMEOUT_S), **query, **{"continue": token})
    try:
        data: bytes = response.data
    finally:
        response.release_conn()
    return data


class Expired(Exception):
    """The watch's resourceVersion is too old (410 Gone): only a new list can continue."""


def watch_lines(response: Any) -> Iterator[bytes]:
    """A streamed response split into lines: one watch event per line, however the chunks fall."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line for line in complete if line.strip())
    if pending.strip():
        yield pending


class ListWatch(Generic[Update]):
    """One resource at `path` (narrowed by `selectors`, e.g. labelSelector), as Updates from `updates()` until
    `stop()`."""

    FIRST_RETRY_S = 1.0
    LONGEST_RETRY_S = 30.0

    def __init__(self, kube: KubeService, path: str, selectors: dict[str, object] | None = None) -> None:
        self.kube = kube
        self.path = path
        self.selectors = selectors or {}
        self._stopped = threading.Event()
        self._lock = threading.Lock()  # guards what stop() cuts (subclasses keep theirs under it too)
        self._response: Any = None

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()  # unblocks a read in progress on the watch thread
            response.release_conn()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def updates(self) -> Iterator[Update]:
        retry = self.FIRST_RETRY_S
        while not self.stopped:
            try:
                version = yield from self._list()
                retry = self.FIRST_RETRY_S
                while not self.stopped and version:
                    version = yield from self._watch(version)
            except Expired:
                continue  # list again straight away
            except Exception as exc:
                if self.stopped:
                    return
                yield self._trouble(exc, retry)
                self._stopped.wait(retry)
                retry = min(retry * 2, self.LONGEST_RETRY_S)

    def _list(self) -> Generator[Update, None, str]:
        """A full list's updates; returns its resourceVersion ("" when stopped meanwhile: nothing to watch)."""
        raise NotImplementedError

    def _changed(self, kind: str, obj: Any) -> Update | None:
        """A watched object that was ADDED, MODIFIED or DELETED (`kind`), as an update; None: not one to show."""
        raise NotImplementedError

    def _trouble(self, exc: Exception, retry_in: float) -> Update:
        raise NotImplementedError

    def _decode(self, document: bytes) -> Any:
        return json.loads(document)

    def _watch(self, version: str) -> Generator[Update, None, str]:
        """Updates from one watch request; returns the last resourceVersion seen (to resume from)."""
        response = request_list(
            self.kube,
            self.path,
            (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
            watch=True,
            resourceVersion=version,
            allowWatchBookmarks=True,
            timeoutSeconds=WATCH_SECONDS,
            **self.selectors,
        )
        with self._lock:
            self._response = response
        try:
            if self.stopped:  # stop() ran between the request and the line above
                return version
            for line in watch_lines(response):
                event = self._decode(line)
                kind, obj = event.get("type"), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise Expired()
                    with heavy_imports():
                        from kubernetes.client.exceptions import ApiException

                    raise ApiException(status=obj.get("code"), reason=str(obj.get("message") or "watch error"))
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if kind == "BOOKMARK":
                    continue
                update = self._changed(str(kind), obj)
                if update is not None:
                    yield update
        finally:
            with self._lock:
                self._response = None
            response.release_conn()
        return version


class UpdateBuffer(Generic[Update, Row, Trouble]):
    """Where the watch thread leaves updates for the UI thread, coalesced by row key: `add` says True only for the
    first update since the last `take`, so the thread posts one wake-up per batch however fast updates come, and a
    row changed ten times meanwhile costs one change. A subclass files each update (`_file`, under the lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed: list[Row] | None = None
        self._changes: dict[str, Row | None] = {}  # None: the row was removed
        self._trouble: Trouble | None = None
        self._fresh = True  # nothing taken yet is pending

    def add(self, update: Update) -> bool:
        with self._lock:
            self._file(update)
            wake, self._fresh = self._fresh, False
            return wake

    def pump(self, updates: Iterable[Update], wake: Callable[[], object]) -> None:
        """On the watch thread: every update into the buffer, `wake()` once a batch (the UI thread then takes)."""
        for update in updates:
            if self.add(update):
                wake()

    def take(self) -> tuple[list[Row] | None, dict[str, Row | None], Trouble | None]:
        """Everything since the last take: a full list (or None), then the changes after it, then any trouble."""
        with self._lock:
            taken = (self._listed, self._changes, self._trouble)
            self._listed, self._changes, self._trouble = None, {}, None
            self._fresh = True
            return taken

    def _file(self, update: Update) -> None:
        raise NotImplementedError

    def _file_list(self, rows: list[Row]) -> None:
        """A complete list: what came before it no longer matters."""
        self._listed, self._changes, self._trouble = rows, {}, None
