"""A sparkline of usage on an absolute scale: one column per sample, newest on the right, bars from 0 to `top` (the
pod's limit or request, 100% for a GPU). Textual's own Sparkline stretches the samples over its width and scales
them from their own minimum, so a steady 250m looks empty and a single sample full: wrong for "how busy is it"."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widgets import Sparkline

BARS = "▁▂▃▄▅▆▇█"


def bars(values: Sequence[float], top: float, width: int) -> str:
    """The last `width` values as bars (0 is the lowest bar, `top` and over the highest), right-aligned."""
    shown = values[-width:] if width > 0 else []
    if top <= 0:
        top = max(shown, default=0) or 1
    cells = [BARS[min(len(BARS) - 1, round(value / top * (len(BARS) - 1)))] for value in shown]
    return "".join(cells).rjust(width)


class UsageSparkline(Sparkline):
    DEFAULT_CSS = """
    UsageSparkline { height: 1; color: $primary; }
    """

    top = reactive(0.0)  # what a full bar stands for; 0: the largest sample

    def render(self) -> RenderResult:
        return Text(bars(self.data or [], self.top, self.size.width), no_wrap=True)
