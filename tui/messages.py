"""Typed messages that worker threads post to the UI thread."""

from __future__ import annotations

from textual.message import Message

from tui.models.health import ClusterHealth, EngineHealth


class ClusterHealthChanged(Message):
    def __init__(self, health: ClusterHealth) -> None:
        super().__init__()
        self.health = health


class EngineHealthChanged(Message):
    def __init__(self, health: EngineHealth) -> None:
        super().__init__()
        self.health = health


class KubeTargetChanged(Message):
    """The kube context or namespace changed: the status line should be re-checked now, not at the next tick."""
