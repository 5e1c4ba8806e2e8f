"""A core/v1 Event as one row of the events view, read from its JSON (hostile text: a server, a controller or
anyone allowed to create events chose every word).

Events come in two shapes: the old one (`count`, `lastTimestamp`) and the one events.k8s.io writes (`series`,
`eventTime`, no count): both are read into the same count and last-seen time, as `kubectl get events` shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.models.logs.safe_text import safe_lines, safe_text

WARNING = "Warning"
LONGEST_TEXT = 2000  # a message longer than this is cut in the cell (it shows far less; the rest is noise or hostile)
# The whole message for Enter's detail: events.k8s.io caps a note at 1 KiB, but core/v1 caps nothing (a hostile
# event could hold a megabyte, kept for an hour): this much is shown, and how much more there was.
LONGEST_DETAIL = 64 * 1024


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object, longest: int = 253) -> str:
    """A server's word, drawn as text: no control character reaches the terminal, one line, cut if long."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return safe_text(text[:longest], colours=False)


def _whole(value: object) -> str:
    """A server's text of several lines, safe to draw (control characters visible, line breaks kept), cut only when
    absurdly long (saying so)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    more = len(text) - LONGEST_DETAIL
    cut = f"\n… ({more} more characters not shown)" if more > 0 else ""
    return safe_lines(text[:LONGEST_DETAIL]) + cut


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # all comparable with each other


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class EventRow:
    key: str  # namespace/name of the Event object: one row per object, updated as its count grows
    namespace: str
    type: str  # Normal, Warning (or whatever the reporter wrote)
    reason: str
    kind: str  # of the object the event is about: Pod, Node, Job …
    name: str
    message: str
    count: int
    last_seen: datetime | None
    resource_version: str = ""
    # For the detail (Enter): the whole message, when first seen, who reported it.
    full_message: str = ""
    first_seen: datetime | None = None
    source: str = ""  # core/v1's source: component on host
    reporting: str = ""  # events.k8s.io's reporting controller / instance
    event_name: str = ""

    @property
    def object(self) -> str:
        """kubectl's OBJECT column: pod/trainer."""
        return f"{self.kind.lower()}/{self.name}" if self.kind else self.name

    @property
    def warning(self) -> bool:
        return self.type == WARNING


def event_row(event: Mapping[str, Any]) -> EventRow:
    metadata = _mapping(event.get("metadata"))
    involved = _mapping(event.get("involvedObject"))
    series = _mapping(event.get("series"))
    source = _mapping(event.get("source"))
    namespace = _text(metadata.get("namespace"))
    last_seen = (
        parse_time(series.get("lastObservedTime"))
        or parse_time(event.get("lastTimestamp"))
        or parse_time(event.get("eventTime"))
        or parse_time(event.get("firstTimestamp"))
        or parse_time(metadata.get("creationTimestamp"))
    )
    return EventRow(
        key=f"{namespace}/{_text(metadata.get('name'))}",
        namespace=namespace,
        type=_text(event.get("type"), 32),
        reason=_text(event.get("reason"), 128),
        kind=_text(involved.get("kind"), 63),
        name=_text(involved.get("name")),
        message=_text(event.get("message"), LONGEST_TEXT),
        count=_count(series.get("count")) or _count(event.get("count")) or 1,
        last_seen=last_seen,
        resource_version=_text(metadata.get("resourceVersion"), 64),
        full_message=_whole(event.get("message")),
        first_seen=(
            parse_time(event.get("firstTimestamp"))
            or parse_time(event.get("eventTime"))
            or parse_time(metadata.get("creationTimestamp"))
        ),
        source=_joined(source.get("component"), source.get("host"), " on "),
        reporting=_joined(event.get("reportingComponent"), event.get("reportingInstance"), " / "),
        event_name=_text(metadata.get("name")),
    )


def _joined(first: object, second: object, between: str) -> str:
    return between.join(part for part in (_text(first), _text(second)) if part)
