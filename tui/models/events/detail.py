"""One event whole, as Enter on the Events view shows it: what the table's columns cut (the message, wrapped by the
view), and what they leave out (first seen, who reported it, the Event object's name).

The text is plain (the view draws it as text, never markup); every field is already safe (tui.models.events.event).
"""

from __future__ import annotations

from datetime import datetime

from tui.models.events.event import EventRow
from tui.models.pods.row import short_age


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "<unknown>"
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S %Z')} ({short_age(moment, now)} ago)"


def event_detail(row: EventRow, now: datetime) -> str:
    fields = [
        ("Type", row.type),
        ("Reason", row.reason),
        ("Object", row.object),
        ("Namespace", row.namespace),
        ("Count", str(row.count)),
        ("First seen", _when(row.first_seen, now)),
        ("Last seen", _when(row.last_seen, now)),
        ("Source", row.source),
        ("Reporting", row.reporting),
        ("Event", row.event_name),
    ]
    lines = [f"{label + ':':<12}{value or '<none>'}" for label, value in fields]
    return "\n".join([*lines, "", "Message:", row.full_message or "<none>", ""])


def event_heading(row: EventRow) -> str:
    return f"Event: {row.reason or '<no reason>'} on {row.object or '<no object>'}"
