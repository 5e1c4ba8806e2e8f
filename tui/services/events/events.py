"""Events of a namespace (core/v1, what `kubectl get events` reads): listed, then watched from the list's
resourceVersion, resumed from the last one seen when a watch ends, listed again on 410 Gone or a failure.

`pod_events` gives one pod's events (a field selector: the server picks them), for a pod's detail and for why it
is Pending.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tui.models.events.event import EventRow, event_row
from tui.models.events.table import newest_first
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES, KubeService

PAGE_SIZE = 500
CONNECT_TIMEOUT_S = 5.0
LIST_TIMEOUT_S = 60.0
WATCH_SECONDS = 240  # the server ends each watch after this; it is then resumed
READ_TIMEOUT_S = WATCH_SECONDS + 30.0  # bookmarks come about once a minute: silence this long is a dead link
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 30.0


def events_path(namespace: str) -> str:
    if namespace == ALL_NAMESPACES:
        return "/api/v1/events"
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/events"


@dataclass(frozen=True)
class EventsListed:
    """A complete list: the view becomes exactly this."""

    rows: list[EventRow]


@dataclass(frozen=True)
class EventChanged:
    key: str
    row: EventRow | None  # None: the event was deleted (its hour is up)


@dataclass(frozen=True)
class EventsTrouble:
    reason: str  # in words
    retry_in: float


EventsUpdate = EventsListed | EventChanged | EventsTrouble


class _Expired(Exception):
    """The watch's resourceVersion is too old (410 Gone): only a new list can continue."""


def _json(response: Any) -> Any:
    try:
        return json.loads(response.data)
    finally:
        response.release_conn()


def list_events(kube: KubeService, namespace: str, field_selector: str = "") -> tuple[list[EventRow], str]:
    """Every event of `namespace` (matching `field_selector`), page by page; and the list's resourceVersion."""
    rows: list[EventRow] = []
    token = ""
    while True:
        query: list[tuple[str, object]] = [("limit", PAGE_SIZE)]
        query += [("fieldSelector", field_selector)] if field_selector else []
        query += [("continue", token)] if token else []
        body = _json(kube.get(events_path(namespace), query, (CONNECT_TIMEOUT_S, LIST_TIMEOUT_S)))
        rows.extend(event_row(item) for item in body.get("items") or [] if isinstance(item, dict))
        metadata = body.get("metadata") or {}
        token = str(metadata.get("continue") or "")
        if not token:
            return rows, str(metadata.get("resourceVersion") or "")


def pod_events(kube: KubeService, namespace: str, pod: str) -> list[EventRow]:
    """The events about one pod, newest first (the server selects them: one call, whatever the namespace holds)."""
    rows, _ = list_events(kube, namespace, f"involvedObject.kind=Pod,involvedObject.name={pod}")
    return sorted(rows, key=newest_first, reverse=True)


class EventWatcher:
    """The events of one namespace (or all), as EventsUpdates from `updates()`, until `stop()`."""

    def __init__(self, kube: KubeService, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._response: Any = None

    def stop(self) -> None:
        """From any thread: the watch's open response is shut, so `updates()` ends at once."""
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def updates(self) -> Iterator[EventsUpdate]:
        retry = FIRST_RETRY_S
        while not self.stopped:
            try:
                rows, version = list_events(self.kube, self.namespace)
                if self.stopped:
                    return
                yield EventsListed(rows)
                retry = FIRST_RETRY_S
                while not self.stopped and version:
                    version = yield from self._watch(version)
            except _Expired:
                continue
            except Exception as exc:
                if self.stopped:
                    return
                yield EventsTrouble(self.kube.explain(exc), retry)
                self._stopped.wait(retry)
                retry = min(retry * 2, LONGEST_RETRY_S)

    def _watch(self, version: str) -> Generator[EventsUpdate, None, str]:
        query = [("watch", "true"), ("resourceVersion", version), ("allowWatchBookmarks", "true")]
        query.append(("timeoutSeconds", str(WATCH_SECONDS)))
        response = self.kube.get(events_path(self.namespace), query, (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        with self._lock:
            self._response = response
        try:
            if self.stopped:  # stop() ran before the response was kept
                return version
            for line in _lines(response):
                event = json.loads(line)
                kind, obj = event.get("type"), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise _Expired()
                    with heavy_imports():
                        from kubernetes.client.exceptions import ApiException

                    raise ApiException(status=obj.get("code"), reason=str(obj.get("message") or "watch error"))
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if kind == "BOOKMARK" or not isinstance(obj, dict):
                    continue
                row = event_row(obj)
                yield EventChanged(row.key, None if kind == "DELETED" else row)
        finally:
            with self._lock:
                self._response = None
            response.release_conn()
        return version


def _lines(response: Any) -> Iterator[bytes]:
    """A streamed response split into lines: one watch event per line, however the chunks fall."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line for line in complete if line.strip())
    if pending.strip():
        yield pending


class EventsBuffer:
    """Where the watch thread leaves updates for the UI thread, coalesced by event: `add` says True only for the
    first update since the last `take`, so the thread posts one wake-up per batch however fast events come."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed: list[EventRow] | None = None
        self._changes: dict[str, EventRow | None] = {}
        self._trouble: EventsTrouble | None = None
        self._fresh = True

    def add(self, update: EventsUpdate) -> bool:
        with self._lock:
            if isinstance(update, EventsListed):
                self._listed, self._changes, self._trouble = update.rows, {}, None
            elif isinstance(update, EventChanged):
                self._changes[update.key] = update.row
            else:
                self._trouble = update
            wake, self._fresh = self._fresh, False
            return wake

    def take(self) -> tuple[list[EventRow] | None, dict[str, EventRow | None], EventsTrouble | None]:
        with self._lock:
            taken = (self._listed, self._changes, self._trouble)
            self._listed, self._changes, self._trouble = None, {}, None
            self._fresh = True
            return taken
