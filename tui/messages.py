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
