"""The events of a namespace as the view shows them: newest first, warnings only on request, the newest SHOWN."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tui.models.events.event import EventRow

SHOWN = 500  # a busy namespace holds thousands (an hour of them); the newest few hundred are what anyone reads


def newest_first(row: EventRow) -> tuple[bool, datetime, str]:
    return (row.last_seen is not None, row.last_seen or datetime.min, row.key)


class EventTable:
    def __init__(self) -> None:
        self.rows: dict[str, EventRow] = {}
        self.warnings_only = False

    def replace_all(self, rows: Iterable[EventRow]) -> None:
        self.rows = {row.key: row for row in rows}

    def apply(self, changes: dict[str, EventRow | None]) -> None:
        """Upserts (a row) and removals (None) by key."""
        for key, row in changes.items():
            if row is None:
                self.rows.pop(key, None)
            else:
                self.rows[key] = row

    def matching(self) -> list[EventRow]:
        return [row for row in self.rows.values() if row.warning or not self.warnings_only]

    def view(self, shown: int = SHOWN) -> list[EventRow]:
        """The rows to draw: newest first, at most `shown`."""
        return sorted(self.matching(), key=newest_first, reverse=True)[:shown]
