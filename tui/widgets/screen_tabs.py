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
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """The widest of the labellings that fits: ` 1 Pods `, then `1 Pods`, then `1 Pod` (titles cut to 3): on
        a narrow terminal every key stays in sight."""
        tabs = cast(ModeSource, self.app).mode_tabs
        room = self.size.width - 2 if self.size.width else 10_000
        for labels in (
            [f" {key} {title} " for key, _, title in tabs],
            [f"{key} {title}" for key, _, title in tabs],
            [f"{key} {title[:3]}" for key, _, title in tabs],
        ):
            if sum(len(label) + 1 for label in labels) - 1 <= room:
                break
        parts: list[Content | tuple[str, str] | str] = []
        self._spans = []
        x = 1  # the left padding
        for label, (_, mode, _) in zip(labels, tabs, strict=True):
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
