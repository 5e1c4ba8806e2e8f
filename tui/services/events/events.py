"""Events of a namespace (core/v1, what `kubectl get events` reads): listed, then watched from the list's
resourceVersion, resumed from the last one seen when a watch ends, listed again on 410 Gone or a failure (the
list + watch of tui.services.kube.list_watch).

`pod_events` gives one pod's events (a field selector: the server picks them), for a pod's detail and for why it
is Pending.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from tui.models.events.event import EventRow, event_row
from tui.models.events.table import newest_first
from tui.services.kube.kube import KubeService
from tui.services.kube.list_watch import ListWatch, UpdateBuffer, list_page, resource_path

PAGE_SIZE = 500


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


def list_events(kube: KubeService, namespace: str, field_selector: str = "") -> tuple[list[EventRow], str]:
    """Every event of `namespace` (matching `field_selector`), page by page; and the list's resourceVersion."""
    rows: list[EventRow] = []
    token = ""
    while True:
        page = list_page(kube, resource_path("events", namespace), token, limit=PAGE_SIZE, fieldSelector=field_selector)
        body = json.loads(page)
        rows.extend(event_row(item) for item in body.get("items") or [] if isinstance(item, dict))
        metadata = body.get("metadata") or {}
        token = str(metadata.get("continue") or "")
        if not token:
            return rows, str(metadata.get("resourceVersion") or "")


def pod_events(kube: KubeService, namespace: str, pod: str) -> list[EventRow]:
    """The events about one pod, newest first (the server selects them: one call, whatever the namespace holds)."""
    rows, _ = list_events(kube, namespace, f"involvedObject.kind=Pod,involvedObject.name={pod}")
    return sorted(rows, key=newest_first, reverse=True)


class EventWatcher(ListWatch[EventsUpdate]):
    """The events of one namespace (or all), as EventsUpdates from `updates()`, until `stop()`."""

    def __init__(self, kube: KubeService, namespace: str) -> None:
        super().__init__(kube, resource_path("events", namespace))
        self.namespace = namespace

    def _list(self) -> Generator[EventsUpdate, None, str]:
        rows, version = list_events(self.kube, self.namespace)
        if self.stopped:
            return ""
        yield EventsListed(rows)
        return version

    def _changed(self, kind: str, obj: Any) -> EventsUpdate | None:
        if not isinstance(obj, dict):
            return None
        row = event_row(obj)
        return EventChanged(row.key, None if kind == "DELETED" else row)

    def _trouble(self, exc: Exception, retry_in: float) -> EventsUpdate:
        return EventsTrouble(self.kube.explain(exc), retry_in)


class EventsBuffer(UpdateBuffer[EventsUpdate, EventRow, EventsTrouble]):
    def _file(self, update: EventsUpdate) -> None:
        if isinstance(update, EventsListed):
            self._file_list(update.rows)
        elif isinstance(update, EventChanged):
            self._changes[update.key] = update.row
        else:
            self._trouble = update
