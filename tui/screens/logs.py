"""The Logs screen (being built): follows the logs of the pods it is given."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.models.pods import PodRow
from tui.screens.base import AppScreen
from tui.services.kube import KubeService


class LogsScreen(AppScreen):
    def __init__(self, kube: KubeService) -> None:
        super().__init__("logs")
        self.kube = kube
        self.title = "Logs"

    def compose_body(self) -> ComposeResult:
        yield Static("Select a pod on the Pods screen and press l.", id="logs-empty")

    def open_logs(self, pods: list[PodRow], previous: bool = False) -> None:
        names = ", ".join(pod.key for pod in pods)
        self.query_one("#logs-empty", Static).update(f"Logs of {names}: not built yet.")
