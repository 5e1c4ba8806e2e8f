"""A pod's detail (`i` on the pod list): sparklines of its CPU, memory and GPU over the last 15 minutes (sampled while
the app runs), its requests and limits beside them, and its events. Live: the pod list tells it when samples come.

Every word of an event, and the pod's own names, came from a server or whoever may create events: drawn as plain
text (never markup), control characters made visible by the models.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.models.events.event import EventRow
from tui.models.metrics.figures import percent
from tui.models.metrics.gpu import GpuState, gpu_percent_text, vram_text
from tui.models.metrics.history import IDLE_AFTER_S, UsageHistory
from tui.models.metrics.text import cpu_text, memory_text
from tui.models.pods.row import PodRow, short_age
from tui.models.pods.table import PodTable
from tui.screens.common.base import FailureLine
from tui.screens.common.failures import WorkerFailures
from tui.screens.common.footer import AppFooter
from tui.services.events.events import pod_events
from tui.services.kube.kube import KubeService
from tui.widgets.usage_sparkline import UsageSparkline

SERIES = ("CPU", "MEM", "GPU", "VRAM")
Shown = Callable[[int | None], str]
EVENT_COLUMNS = ("LAST SEEN", "TYPE", "REASON", "COUNT", "MESSAGE")


def usage_line(now: int | None, samples: list[int], request: int | None, limit: int | None, text: Shown) -> str:
    """`250m now · 240m…260m over 15 min · request 500m (50%) · limit none`."""
    over = f" · {text(min(samples))}…{text(max(samples))} over 15 min" if len(samples) > 1 else ""
    sides = []
    for side, amount in (("request", request), ("limit", limit)):
        share = percent(now, amount)
        sides.append(f"{side} {'none' if amount is None else text(amount)}{'' if share is None else f' ({share}%)'}")
    return f"{text(now)} now{over} · {' · '.join(sides)}"


def gpu_line(row: PodRow, state: GpuState | None, idle_s: float) -> str:
    if not row.gpus:
        return "no GPUs asked for"
    asked = f"{row.gpus} GPU{'s' if row.gpus != 1 else ''} asked for"
    if state is None:
        return f"{asked} · not read yet (nvidia-smi runs every 15 s while the pod is on screen)"
    if state.use is None:
        return f"{asked} · {gpu_percent_text(state)}: {state.detail}" if state.detail else f"{asked} · n/a"
    percent_now = state.use.percent
    now = "n/a" if percent_now is None else f"{percent_now}%"
    idle = f" · idle GPU: 0% for {idle_s / 60:.0f} min (it costs money)" if state.idle else ""
    return f"{now} now (mean of {len(state.use.gpus)} GPU{'s' if len(state.use.gpus) != 1 else ''}) · {asked}{idle}"


def vram_line(row: PodRow, state: GpuState | None) -> str:
    if not row.gpus or state is None or state.use is None:
        return ""
    return f"{vram_text(state)} used now"


def event_cells(event: EventRow, now: datetime) -> list[Text]:
    return [
        Text(short_age(event.last_seen, now)),
        Text(event.type, style="bold yellow" if event.warning else ""),
        Text(event.reason),
        Text(str(event.count)),
        Text(event.message),
    ]


class PodDetailScreen(WorkerFailures, Screen[None]):
    BINDINGS = [Binding("escape,q", "back", "Back", id="pod-detail.back")]
    DEFAULT_CSS = """
    PodDetailScreen #detail-heading { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    PodDetailScreen .series { height: 1; padding: 0 1; }
    PodDetailScreen .series-name { width: 6; color: $text-accent; text-style: bold; }
    PodDetailScreen UsageSparkline { width: 60; margin-right: 2; }
    PodDetailScreen .series-figures { width: 1fr; }
    PodDetailScreen #detail-span { height: 1; padding: 0 1; color: $text-muted; }
    PodDetailScreen #detail-events-title { height: 1; padding: 0 1; margin-top: 1; text-style: bold; }
    PodDetailScreen #detail-events-state { height: auto; padding: 0 1; color: $text-muted; }
    PodDetailScreen DataTable { height: 1fr; }
    """

    def __init__(self, kube: KubeService, key: str, table: PodTable, history: UsageHistory) -> None:
        """`table` and `history` are the pod list's own: the pod's row, usage and GPU reading are read from them."""
        super().__init__()
        self.kube = kube
        self.key = key
        self.table = table
        self.history = history
        self.row = table.rows[key]
        self.events: list[EventRow] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-heading", markup=False)
        with Vertical(id="detail-series"):
            for name in SERIES:
                with Horizontal(classes="series"):
                    yield Static(name, classes="series-name", markup=False)
                    yield UsageSparkline([], id=f"spark-{name.lower()}")
                    yield Static("", id=f"figures-{name.lower()}", classes="series-figures", markup=False)
        yield Static("", id="detail-span", markup=False)
        yield Static("Events (newest first)", id="detail-events-title", markup=False)
        yield Static("reading…", id="detail-events-state", markup=False)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="detail-events")
        yield AppFooter()
        yield FailureLine(markup=False)

    def action_back(self) -> None:
        self.dismiss()  # not app.pop_screen: that drops the pod list's callback without calling it

    def show_failure(self, text: str) -> None:
        self.query_one(FailureLine).say(text)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*EVENT_COLUMNS)
        self.samples_changed()
        self.read_events()

    def sparkline(self, name: str) -> UsageSparkline:
        return self.query_one(f"#spark-{name.lower()}", UsageSparkline)

    def figures(self, name: str) -> str:
        return str(self.query_one(f"#figures-{name.lower()}", Static).content)

    # ---------------------------------------------------------------- samples

    def samples_changed(self, events: bool = False) -> None:
        """New samples (a metrics reading, a GPU reading) or a changed row: everything drawn again; `events`: the
        pod's events are read again too (once a metrics reading, every 15 s)."""
        row = self.table.rows.get(self.key)
        gone = row is None
        self.row = row or self.row
        now = time.monotonic()
        history = self.history.of(self.key, now)
        usage = self.table.usage.get(self.key)
        state = self.table.gpu.get(self.key)
        where = f" · node {self.row.node}" if self.row.node else ""
        status = "deleted" if gone else self.row.status
        self.query_one("#detail-heading", Static).update(f"Pod {self.key} · {status}{where}   (Esc/q: back)")
        # A full bar: the limit, else the request, else the largest sample; 100% for a GPU, all its VRAM.
        total_vram = state.use.memory_total if state is not None and state.use is not None else None
        tops = {
            "CPU": (history.cpu_m, self.row.limits.cpu_m or self.row.requests.cpu_m),
            "MEM": (history.memory, self.row.limits.memory or self.row.requests.memory),
            "GPU": (history.gpu_percent, 100),
            "VRAM": (history.vram_used, total_vram),
        }
        for name, (data, top) in tops.items():
            spark = self.sparkline(name)
            spark.top = float(max(top or 0, *data, 0))
            spark.data = data
        requests, limits = self.row.requests, self.row.limits
        lines = {
            "CPU": usage_line(usage.cpu_m if usage else None, history.cpu_m, requests.cpu_m, limits.cpu_m, cpu_text),
            "MEM": usage_line(
                usage.memory if usage else None, history.memory, requests.memory, limits.memory, memory_text
            ),
            "GPU": gpu_line(self.row, state, self.history.gpu_idle_for(self.key)),
            "VRAM": vram_line(self.row, state),
        }
        for name, text in lines.items():
            self.query_one(f"#figures-{name.lower()}", Static).update(text)
        minutes = history.span_s / 60
        span = f"{history.samples} sample{'s' if history.samples != 1 else ''} over {minutes:.0f} min"
        self.query_one("#detail-span", Static).update(
            f"last 15 min, sampled every 15 s while k8sx runs (kept in memory only): {span}"
            f"; idle GPU after {IDLE_AFTER_S / 60:.0f} min at 0%"
        )
        if events and not gone:
            self.read_events()

    # ---------------------------------------------------------------- events

    @work(thread=True, group="pod-detail-events", exclusive=True, exit_on_error=False)
    def read_events(self) -> None:
        try:
            rows = pod_events(self.kube, self.row.namespace, self.row.name)
        except Exception as exc:
            self.app.call_from_thread(self.show_events, None, f"cannot read the pod's events: {self.kube.explain(exc)}")
            return
        self.app.call_from_thread(self.show_events, rows, "")

    def show_events(self, rows: list[EventRow] | None, problem: str) -> None:
        state = self.query_one("#detail-events-state", Static)
        if rows is None:
            state.update(problem)  # the last events stay drawn
            return
        self.events = rows
        state.update("" if rows else "no events (the API server keeps them for an hour)")
        state.display = not rows
        table = self.query_one(DataTable)
        now = datetime.now(UTC)
        table.clear()
        for event in rows:
            table.add_row(*event_cells(event, now))
