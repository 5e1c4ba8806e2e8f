"""The Events view: the namespace's events, live (list, then a watch), newest first; `w` shows warnings only;
`Enter` shows the event under the cursor whole (the MESSAGE column is cut by the screen's width).

Every word comes from a server or whoever may create events: cells are plain text with control characters made
visible (tui.models.events.event), never markup.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets.data_table import ColumnKey

from tui.models.events.detail import event_detail, event_heading
from tui.models.events.event import EventRow
from tui.models.events.table import SHOWN, EventTable
from tui.models.pods.row import short_age
from tui.screens.common.keyed_rows import KeyedTableScreen, enter_binding, refill
from tui.screens.common.live_state import live_state
from tui.screens.common.text_view import TextViewScreen
from tui.screens.common.timers import call_after
from tui.services.events.events import EventsBuffer, EventWatcher
from tui.services.kube.kube import ALL_NAMESPACES, KubeService

COLUMNS = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE")
AGES_S = 5.0  # the LAST SEEN column moves on by itself
FILL_EVERY_S = 0.5  # a storm of events (10,000 pods scheduled) redraws the table at most this often


@dataclass
class EventsPending(Message):
    """The watch thread left updates in `buffer` (one message per batch)."""

    buffer: EventsBuffer


def event_cells(row: EventRow, now: datetime, all_namespaces: bool) -> list[Text]:
    cells = [
        Text(short_age(row.last_seen, now)),
        Text(row.type, style="bold yellow" if row.warning else ""),
        Text(row.reason),
        Text(row.object),
        Text(str(row.count)),
        Text(row.message),
    ]
    if all_namespaces:
        cells.insert(0, Text(row.namespace))
    return cells


class EventsScreen(KeyedTableScreen):
    BINDINGS = [
        enter_binding("show_event", "Event", "events.detail", "the whole event: message, first seen, reporter"),
        Binding("w", "toggle_warnings", "Warnings only", id="events.warnings", tooltip="warnings only, or all"),
    ]

    def __init__(self, kube: KubeService) -> None:
        super().__init__("events", "Events", kube)
        self.events = EventTable()
        self.namespace = ""
        self._watcher: EventWatcher | None = None
        self._buffer = EventsBuffer()
        self._listed = False
        self._trouble = ""
        self._ages: dict[str, str] = {}  # LAST SEEN as drawn, by event key
        self._filled_at = 0.0  # time.monotonic() of the last fill
        self._fill_waiting = False
        self._age_column = ColumnKey("")

    def on_mount(self) -> None:
        self.start_watch()
        self.set_interval(AGES_S, self.ages_due)

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.kube.namespace != self.namespace:
            self.start_watch()  # the namespace was switched on the pod list meanwhile

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    def start_watch(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self.namespace = self.kube.namespace
        self._watcher = EventWatcher(self.kube, self.namespace)
        self._buffer = EventsBuffer()
        self._listed, self._trouble = False, ""
        self.events.replace_all([])
        self._ages = {}
        table = self.table
        table.clear(columns=True)
        keys = table.add_columns(*(("NAMESPACE",) if self.namespace == ALL_NAMESPACES else ()), *COLUMNS)
        self._age_column = keys[-len(COLUMNS)]
        self._update_info()
        self.follow(self._watcher, self._buffer)

    @work(thread=True, group="events-watch", exit_on_error=False)
    def follow(self, watcher: EventWatcher, buffer: EventsBuffer) -> None:
        buffer.pump(watcher.updates(), lambda: self.post_message(EventsPending(buffer)))

    def on_events_pending(self, message: EventsPending) -> None:
        if message.buffer is not self._buffer:
            return  # from a watch since replaced
        listed, changes, trouble = message.buffer.take()
        if listed is not None:
            self.events.replace_all(listed)
            self._listed, self._trouble = True, ""
        if changes:
            self.events.apply(changes)
            self._trouble = ""
        if trouble is not None:
            verb = "reconnecting" if self._listed else "cannot list events"
            self._trouble = f"{verb}: {trouble.reason} (retrying in {trouble.retry_in:.0f}s)"
        if listed is not None or changes:
            self._fill_soon()
        self._update_info()

    def ages_due(self) -> None:
        """Only the LAST SEEN cells whose text moved on are drawn again (most events are minutes old)."""
        if not self.is_active or not self._ages:
            return
        now, table = datetime.now(UTC), self.table
        for key, drawn in list(self._ages.items()):
            row = self.events.rows.get(key)
            age = short_age(row.last_seen, now) if row is not None else drawn
            if age != drawn:
                self._ages[key] = age
                table.update_cell(key, self._age_column, Text(age))

    def _fill_soon(self) -> None:
        if self._fill_waiting:
            return
        wait = self._filled_at + FILL_EVERY_S - time.monotonic()
        if wait <= 0:
            self._fill()
        else:
            self._fill_waiting = True
            call_after(self, wait, self._fill)

    def _fill(self) -> None:
        self._fill_waiting, self._filled_at = False, time.monotonic()
        now = datetime.now(UTC)
        all_namespaces = self.namespace == ALL_NAMESPACES
        rows = {row.key: event_cells(row, now, all_namespaces) for row in self.events.view()}
        self._ages = {key: cells[1 if all_namespaces else 0].plain for key, cells in rows.items()}
        refill(self.table, rows.items())

    def _update_info(self) -> None:
        where = "all namespaces" if self.namespace == ALL_NAMESPACES else f"namespace {self.namespace}"
        matching, total = len(self.events.matching()), len(self.events.rows)
        kind = "warnings" if self.events.warnings_only else "events"
        count = f"{matching} {kind}" + (f" of {total} events" if self.events.warnings_only else "")
        parts = [f"{count} in {escape(where)}", "newest first"]
        if matching > SHOWN:
            parts.append(f"the newest {SHOWN} shown")
        parts.append("w: all events" if self.events.warnings_only else "w: warnings only")
        parts.append(live_state(self._trouble, self._listed))
        self.say_info(" · ".join(parts))

    def action_toggle_warnings(self) -> None:
        self.events.warnings_only = not self.events.warnings_only
        self._fill()
        self._update_info()

    def action_show_event(self) -> None:
        key = self.cursor_key
        row = self.events.rows.get(key) if key is not None else None
        if row is None:
            self.notify("no event selected" if self.events.rows else "no events listed yet", severity="warning")
            return
        self.app.push_screen(TextViewScreen(event_heading(row), event_detail(row, datetime.now(UTC))))
