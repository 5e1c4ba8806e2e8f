"""The strip of screens under the status line: each screen's key and title, the current one highlighted.

k9s-style: the number keys are always visible here, so the footer keeps its room for the screen's own keys.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual import events
from textual.content import Content
from textual.widgets import Static


class ModeSource(Protocol):
    """What the tabs need of the app: the modes as (key, mode name, title), and a way to switch."""

    mode_tabs: list[tuple[str, str, str]]

    def switch_mode(self, mode: str) -> object: ...


class ScreenTabs(Static):
    DEFAULT_CSS = """
    ScreenTabs { height: 1; padding: 0 1; background: $panel-darken-1; color: $text-muted; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        source = cast(ModeSource, self.app)
        parts: list[Content | tuple[str, str] | str] = []
        x = 1  # the left padding
        for key, mode, title in source.mode_tabs:
            label = f" {key} {title} "
            style = "bold reverse $accent" if mode == self.current else ""
            parts.append((label, style))
            self._spans.append((x, x + len(label), mode))
            x += len(label) + 1
            parts.append(" ")
        self.update(Content.assemble(*parts))

    def on_click(self, event: events.Click) -> None:
        for start, end, mode in self._spans:
            if start <= event.x < end:
                cast(ModeSource, self.app).switch_mode(mode)
