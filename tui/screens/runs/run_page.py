"""A run's page: everything recorded about it (manifest, images and digests, code and its diff, params, ends,
results pulled, logs archived), scrollable; `l` opens its logs and `e` exports it, as on the list; `C` opens a GKE
run's log as Cloud Logging has it (where its archive has a gap, the lines missing may be there)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.messages import OpenRunLogs
from tui.models.logs.safe_text import safe_lines
from tui.screens.common.footer import AppFooter


class RunPageScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="run-page.back"),
        Binding("l", "logs", "Logs", id="run-page.logs"),
        Binding("C", "cloud_logging", "Cloud Logging", id="run-page.cloud-logging"),
        Binding("e", "export", "Export…", id="run-page.export"),
    ]
    DEFAULT_CSS = """
    RunPageScreen #heading { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    RunPageScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, run_id: str, heading: str, text: str, export: Callable[[str], None]) -> None:
        """`text` is the page as recorded: a manifest or a diff may hold markup and escape sequences, so it is drawn
        as plain text with every control character shown as a placeholder."""
        super().__init__()
        self.run_id = run_id
        self.heading = heading
        self.text = safe_lines(text)
        self._export = export
        self.title = f"Run {run_id}"

    def compose(self) -> ComposeResult:
        yield Static(safe_lines(self.heading), id="heading", markup=False)
        with VerticalScroll():
            yield Static(Text(self.text), id="run-page-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_logs(self) -> None:
        self.post_message(OpenRunLogs(self.run_id))

    def action_cloud_logging(self) -> None:
        self.post_message(OpenRunLogs(self.run_id, cloud=True))

    def action_export(self) -> None:
        self._export(self.run_id)
