"""The pod list: the pods of the current namespace, refreshed from the API server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from textual import work
from textual.app import ComposeResult
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from tui.models.pods import PodRow
from tui.screens.base import AppScreen
from tui.services.kube import KubeService

REFRESH_S = 2.0
COLUMNS = ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "IMAGE")


def age(created: datetime | None, now: datetime) -> str:
    """kubectl's short age: 45s, 12m, 3h, 5d."""
    if created is None:
        return "?"
    seconds = max(0, int((now - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class PodsListed(Message):
    def __init__(self, rows: list[PodRow]) -> None:
        super().__init__()
        self.rows = rows


class PodsListFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class PodsScreen(AppScreen):
    DEFAULT_CSS = """
    PodsScreen #pods-notice { height: auto; padding: 0 1; color: $text-muted; }
    PodsScreen DataTable { height: 1fr; }
    """

    def __init__(self, kube: KubeService) -> None:
        super().__init__()
        self.kube = kube
        self.title = "Pods"
        self._stop = threading.Event()

    def compose_body(self) -> ComposeResult:
        yield Static("loading pods…", id="pods-notice")
        table: DataTable[str] = DataTable(id="pods", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    def on_mount(self) -> None:
        self.refresh_pods()

    def on_unmount(self) -> None:
        self._stop.set()

    @work(thread=True, exclusive=True, group="pods-list", exit_on_error=False)
    def refresh_pods(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled and not self._stop.is_set():
            try:
                self.post_message(PodsListed(self.kube.list_pods()))
            except Exception as exc:
                self.post_message(PodsListFailed(self.kube.explain(exc)))
            self._stop.wait(REFRESH_S)

    def on_pods_listed(self, message: PodsListed) -> None:
        table = self.query_one("#pods", DataTable)
        selected = self._selected_key(table)
        now = datetime.now(UTC)
        table.clear()
        for row in sorted(message.rows, key=lambda r: r.name):
            table.add_row(
                row.name,
                row.ready,
                row.status,
                str(row.restarts),
                age(row.created, now),
                row.ip,
                row.node,
                row.image,
                key=row.key,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        count = len(message.rows)
        self.query_one("#pods-notice", Static).update(
            f"{count} pod{'s' if count != 1 else ''} in namespace {self.kube.namespace}"
        )

    def on_pods_list_failed(self, message: PodsListFailed) -> None:
        self.query_one("#pods-notice", Static).update(f"[$error]cannot list pods: {escape(message.reason)}[/]")

    @staticmethod
    def _selected_key(table: DataTable[str]) -> str | None:
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
