"""The Forwards view: every forward with its pod, ports, state, open connections, bytes each way and since when;
stop one or all; `o` opens the URL with the system's opener, or copies it where there is none."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from tui.models.column_widths import ColumnHint, ellipsize, fit_cells
from tui.models.forward.forward import ForwardStatus, State
from tui.models.pods.row import short_age
from tui.models.units import human_bytes
from tui.screens.common.base import AppScreen
from tui.screens.forward.registry import forwards_of
from tui.services.forward.manager import ForwardManager
from tui.services.forward.opener import open_url
from tui.services.kube.kube import KubeService

# The last connection error is said in full on the info line (for the highlighted forward): its column is cut first.
COLUMNS = ("URL", "POD", "REMOTE", "STATE", "CONNS", "IN", "OUT", "SINCE", "KEPT", "LAST ERROR")
HINTS = {"URL": ColumnHint(least=21, keep="end"), "LAST ERROR": ColumnHint(keep="start")}  # a URL keeps its port
REFRESH_S = 0.5
STATE_STYLES = {State.ACTIVE: "green", State.FAILED: "red", State.RECONNECTING: "yellow", State.WAITING: "yellow"}


def status_cells(status: ForwardStatus, now: datetime) -> tuple[Text, ...]:
    """One row, all plain text (pod names and the kubelet's words are not markup)."""
    pod = status.spec.target + (f" ({status.pod})" if status.pod and status.spec.experiment else "")
    return (
        Text(status.spec.url),
        Text(pod),
        Text(str(status.spec.remote_port)),
        Text(status.state_text, style=STATE_STYLES.get(status.state, "")),
        Text(str(status.connections)),
        Text(human_bytes(status.bytes_in)),
        Text(human_bytes(status.bytes_out)),
        Text(short_age(status.since, now)),
        Text("yes" if status.kept else ""),
        Text(status.last_error, style="red" if status.last_error else ""),
    )


class ForwardsScreen(AppScreen):
    BINDINGS = [
        Binding("o", "open_url", "Open", id="forwards.open", tooltip="open the URL, or copy it if nothing opens it"),
        Binding(
            "k", "keep", "Keep", id="forwards.keep", tooltip="bring this forward back on the next start (again: not)"
        ),
        Binding("x", "stop", "Stop", id="forwards.stop"),
        Binding("X", "stop_all", "Stop all", id="forwards.stop-all"),
        Binding("escape", "back", "Back", id="forwards.back"),
    ]
    DEFAULT_CSS = """
    ForwardsScreen #forwards-info { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, kube: KubeService) -> None:
        super().__init__("forwards")
        self.kube = kube
        self.title = "Forwards"
        self._shown: list[tuple[str, ...]] = []
        self._ids: list[int] = []

    @property
    def manager(self) -> ForwardManager:
        return forwards_of(self.app, self.kube)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="forwards-info", markup=False)
        yield DataTable(id="forwards", cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#forwards", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self.refresh_rows()
        self.set_interval(REFRESH_S, self.refresh_rows)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_rows()

    def fitted(self, rows: list[tuple[Text, ...]]) -> list[tuple[Text, ...]]:
        """The rows cut to fit the table's width, as the pod list's columns are: nothing to scroll sideways to."""
        table = self.table
        if not table.size.width:  # not laid out yet: fitted on the first resize
            return rows
        room = table.scrollable_content_region.width - 2 * table.cell_padding * len(COLUMNS)
        widths = fit_cells(COLUMNS, [[cell.plain for cell in row] for row in rows], room, HINTS)
        keep = [HINTS.get(title, ColumnHint()).keep for title in COLUMNS]
        return [
            tuple(
                Text(ellipsize(cell.plain, width, how), style=cell.style)
                for cell, width, how in zip(row, widths, keep, strict=True)
            )
            for row in rows
        ]

    def refresh_rows(self) -> None:
        statuses = self.manager.statuses()
        now = datetime.now(UTC)
        rows = self.fitted([status_cells(status, now) for status in statuses])
        keys = [tuple(cell.plain for cell in row) for row in rows]
        if keys != self._shown:
            cursor = self.table.cursor_row
            self.table.clear(columns=True)  # the columns too: their widths shrink to the new cells'
            self.table.add_columns(*COLUMNS)
            for status, row in zip(statuses, rows, strict=True):
                self.table.add_row(*row, key=str(status.id))
            if rows:
                self.table.move_cursor(row=min(cursor, len(rows) - 1))
            self._shown, self._ids = keys, [status.id for status in statuses]
        count = len(statuses)
        info = f"{count} forward{'s' if count != 1 else ''}" if count else "no forwards: f on a pod in the pod list"
        if rows:  # the row's last error in full: its column is cut in a narrow terminal
            shown = statuses[min(self.table.cursor_row, len(statuses) - 1)]
            if shown.last_error:
                info += f" · {shown.spec.url}: {shown.last_error}"
        self.query_one("#forwards-info", Static).update(info)

    def on_data_table_row_highlighted(self) -> None:  # the info line names the highlighted forward's last error
        self.refresh_rows()

    def _selected(self) -> ForwardStatus | None:
        if not self._ids:
            self.notify("no forward selected", severity="warning")
            return None
        chosen = self._ids[min(self.table.cursor_row, len(self._ids) - 1)]
        return next((status for status in self.manager.statuses() if status.id == chosen), None)

    def action_open_url(self) -> None:
        if (status := self._selected()) is None:
            return
        url = status.spec.url
        try:
            opener = open_url(url)
        except OSError as exc:
            self.notify(f"cannot open {url}: {exc}", title="Open", severity="error", markup=False)
            opener = None
        if opener is None:
            self.app.copy_to_clipboard(url)
            self.notify(f"{url} copied (no system opener here)", title="Open", markup=False)
        else:
            self.notify(f"opening {url}", title="Open", markup=False)

    def action_keep(self) -> None:
        if (status := self._selected()) is None:
            return
        try:
            self.manager.keep(status.id, not status.kept)
        except OSError as exc:
            self.notify(str(exc), title="Keep", severity="error", markup=False)
            return
        said = "comes back on the next start of the app" if not status.kept else "no longer kept"
        self.notify(f"{status.spec.summary}: {said}", title="Keep", markup=False)
        self.refresh_rows()

    def action_stop(self) -> None:
        if (status := self._selected()) is not None:
            self.manager.stop(status.id)
            self.notify(f"stopped {status.spec.summary}", title="Forward", markup=False)
            self.refresh_rows()

    def action_stop_all(self) -> None:
        stopped = self.manager.stop_all()
        self.notify(f"stopped {stopped} forward{'s' if stopped != 1 else ''}", title="Forward")
        self.refresh_rows()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()
        else:  # the app's Forwards mode: back to the pod list, where forwards start
            self.app.switch_mode("pods")
