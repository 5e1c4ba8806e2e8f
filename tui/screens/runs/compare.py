"""Two runs side by side (`d` on the Runs screen): each fact in two columns, what differs highlighted, the code
diffs' difference in words and the manifests' unified diff in colour. Everything shown was recorded from files,
pods and servers: it is drawn as text (no markup), control characters as placeholders."""

from __future__ import annotations

from itertools import zip_longest

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.models.logs.safe_text import safe_text
from tui.models.runs.compare import Comparison, Section
from tui.screens.common.footer import AppFooter

LABEL_MAX = 24
COLUMN_MIN = 16
TITLE = Style(bold=True, underline=True)
DIFFERS = Style(color="yellow", bold=True)
NOTE = Style(italic=True)
DIFF_STYLES = {"+": Style(color="green"), "-": Style(color="red"), "@": Style(color="cyan")}
DIFF_HEADER = Style(bold=True)


class CompareScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="compare.back")]
    DEFAULT_CSS = """
    CompareScreen #heading { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    CompareScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
        left, right = comparison.left, comparison.right
        self.title = f"Compare {left.id} {right.id}"
        self.heading = safe_text(f"Compare A {left.id} ({left.name}) with B {right.id} ({right.name})", colours=False)
        self.text = Text()

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="heading", markup=False)
        with VerticalScroll():
            yield Static(id="compare-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.draw()

    def on_resize(self, event: events.Resize) -> None:
        self.draw()

    def draw(self) -> None:
        self.text = comparison_text(self.comparison, max(self.size.width - 4, 2 * COLUMN_MIN + 10))
        self.query_one("#compare-text", Static).update(self.text)


def comparison_text(comparison: Comparison, width: int) -> Text:
    """The comparison laid out in `width` cells: label, A, B; a value longer than its column goes on under it."""
    rows = [row for section in comparison.sections for row in section.rows]
    label_width = min(LABEL_MAX, max([len(row.label) for row in rows] + [1])) + 2
    column = max(COLUMN_MIN, (width - label_width - 2) // 2)
    text = Text(no_wrap=True)
    header = ("", f"A {comparison.left.id}", f"B {comparison.right.id}")
    _row(text, header, label_width, column, TITLE)
    for section in comparison.sections:
        _section(text, section, label_width, column)
    text.rstrip()
    return text


def _section(text: Text, section: Section, label_width: int, column: int) -> None:
    text.append("\n")
    text.append(section.title + (" (differ)" if section.differs else ""), TITLE)
    text.append("\n")
    for row in section.rows:
        _row(text, (row.label, row.left, row.right), label_width, column, DIFFERS if row.differs else None)
    for note in section.notes:
        text.append("  " + _safe(note) + "\n", NOTE)
    for line in section.diff:
        style = DIFF_HEADER if line.startswith(("+++ ", "--- ")) else DIFF_STYLES.get(line[:1])
        text.append("  " + _safe(line) + "\n", style)


def _row(text: Text, cells: tuple[str, str, str], label_width: int, column: int, style: Style | None) -> None:
    label, left, right = (_safe(cell) for cell in cells)
    label = label if len(label) < label_width else label[: label_width - 2] + "…"
    pieces = zip_longest(_chunks(left, column), _chunks(right, column), fillvalue="")
    for number, (a, b) in enumerate(pieces):
        line = (label if number == 0 else "").ljust(label_width) + a.ljust(column) + "  " + b
        text.append(line.rstrip() + "\n", style)


def _chunks(value: str, width: int) -> list[str]:
    return [value[at : at + width] for at in range(0, len(value), width)] or [""]


def _safe(value: str) -> str:
    """One line of recorded text as drawn: control characters (a newline too) as placeholders."""
    return safe_text(value, colours=False)
