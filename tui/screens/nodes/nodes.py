"""The Nodes view: every node with its status, roles, what it has, what pods may use and what its pods ask for, its
usage (metrics-server), GPU type, spot and taints; refreshed every 15 s; `Enter` shows the pods on a node."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message

from tui.models.nodes.node import COLUMNS, NodeRow, node_cells
from tui.screens.common.keyed_rows import KeyedTableScreen, enter_binding, refill
from tui.screens.nodes.messages import ShowPodsOnNode
from tui.services.kube.kube import KubeService
from tui.services.nodes.nodes import NodesReading, NodesService

REFRESH_S = 15.0  # metrics-server's resolution: usage changes no faster
log = logging.getLogger(__name__)


@dataclass
class NodesRead(Message):
    reading: NodesReading | None
    problem: str = ""


def row_cells(row: NodeRow) -> list[Text]:
    """Plain text (node names, labels and taints are not markup); a node not Ready or cordoned stands out."""
    cells = [Text(cell) for cell in node_cells(row)]
    if row.status != "Ready":
        cells[1].stylize("red" if row.status.startswith("NotReady") else "yellow")
    return cells


class NodesScreen(KeyedTableScreen):
    BINDINGS = [
        enter_binding("pods_on_node", "Pods on node", "nodes.pods", "the pod list, filtered to the pods on this node"),
        Binding("r", "refresh_now", "Refresh", id="nodes.refresh"),
    ]

    def __init__(self, kube: KubeService) -> None:
        super().__init__("nodes", "Nodes", kube)
        self.service = NodesService(kube)
        self.rows: dict[str, NodeRow] = {}
        self.reading: NodesReading | None = None
        self.problem = ""
        self._asked = -REFRESH_S  # time.monotonic() of the last read started

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.ask()
        self.set_interval(REFRESH_S, self.due)

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.due()

    def due(self) -> None:
        """Every 15 s while the view is shown (and on coming back to it, when the last read is older)."""
        if self.is_active and time.monotonic() - self._asked >= REFRESH_S - 1.0:  # the timer's own jitter
            self.ask()

    def action_refresh_now(self) -> None:
        self.ask()

    def ask(self) -> None:
        self._asked = time.monotonic()
        self.read_nodes()

    @work(thread=True, exclusive=True, group="nodes-read", exit_on_error=False)
    def read_nodes(self) -> None:
        try:
            reading = self.service.read()
        except Exception as exc:  # said on the info line, every 15 s: not a notification each time
            log.warning("reading the nodes failed", exc_info=exc)
            self.post_message(NodesRead(None, self.kube.explain(exc)))
            return
        self.post_message(NodesRead(reading))

    def on_nodes_read(self, message: NodesRead) -> None:
        self.problem = message.problem
        if message.reading is not None:
            self.reading = message.reading
            self._fill(message.reading.rows)
        self._update_info()

    def _fill(self, rows: list[NodeRow]) -> None:
        self.rows = {row.name: row for row in rows}
        refill(self.table, ((row.name, row_cells(row)) for row in rows))

    def _update_info(self) -> None:
        parts = []
        if self.reading is not None:
            count = len(self.reading.rows)
            pods = self.reading.pods_counted
            parts.append(f"{count} node{'s' if count != 1 else ''} · {pods} pod{'s' if pods != 1 else ''} holding")
            parts.append("R requested by pods · A allocatable · C capacity · CPU/MEM usage")
            if self.reading.metrics_state:
                parts.append(f"[$text-warning]{escape(self.reading.metrics_state)}[/]")
        if self.problem:
            verb = "cannot list nodes" if self.reading is None else "not refreshed"
            parts.append(f"[$text-error]{verb}: {escape(self.problem)} (retrying every {REFRESH_S:.0f}s)[/]")
        elif self.reading is not None:
            parts.append("[$text-success]live[/]")
        self.say_info(" · ".join(parts) or "listing nodes…")

    @property
    def cursor_node(self) -> str | None:
        return self.cursor_key if self.rows else None

    def action_pods_on_node(self) -> None:
        node = self.cursor_node
        if node is None:
            self.notify("no node selected" if self.rows else "the nodes are not listed yet", severity="warning")
            return
        self.post_message(ShowPodsOnNode(node))
