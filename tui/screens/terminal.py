"""The Terminal screen (being built): shell tabs inside pods and containers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.backends import Backends
from tui.models.pods import PodRow
from tui.screens.base import AppScreen


class TerminalScreen(AppScreen):
    def __init__(self, backends: Backends) -> None:
        super().__init__("terminal")
        self.backends = backends
        self.title = "Terminal"

    def compose_body(self) -> ComposeResult:
        yield Static("Select a pod on the Pods screen and press s.", id="terminal-empty")

    def open_pod_shell(self, pod: PodRow, attach: bool = False) -> None:
        what = "attach to" if attach else "shell in"
        self.query_one("#terminal-empty", Static).update(f"{what} {pod.key}: not built yet.")
