"""`?` / F1: every key of the screen you were on and the keys that work everywhere, with what they do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.diagnostic_log import log_path


@dataclass
class HelpEntry:
    keys: list[str]
    description: str
    binding_id: str | None
    node: DOMNode = field(repr=False)
    action: str = ""


@dataclass(frozen=True)
class HelpGroup:
    title: str
    entries: list[HelpEntry]


def binding_entries(bindings: Mapping[str, ActiveBinding], app: App[Any]) -> list[HelpEntry]:
    """One entry per action (its keys merged: "d · enter"), in the order the bindings are declared."""
    entries: dict[tuple[int, str], HelpEntry] = {}
    for active in bindings.values():
        binding = active.binding
        if binding.system or not (binding.description or binding.tooltip):
            continue
        slot = (id(active.node), binding.action)
        entry = entries.setdefault(
            slot, HelpEntry([], binding.description or binding.tooltip, binding.id, active.node, binding.action)
        )
        display = app.get_key_display(binding)
        if display not in entry.keys:
            entry.keys.append(display)
    return list(entries.values())


def help_groups(screen_title: str, bindings: Mapping[str, ActiveBinding], app: App[Any]) -> list[HelpGroup]:
    """The screen's own keys first (its widgets' after), then the app's, then Textual's basics (no id)."""
    entries = binding_entries(bindings, app)
    for entry in entries:
        if entry.action == "command_palette":
            entry.description = "Command palette: every action by name"
    own = [entry for entry in entries if entry.node is not app and entry.binding_id]
    own.sort(key=lambda entry: not isinstance(entry.node, Screen))  # stable: declaration order kept
    groups = [
        HelpGroup(screen_title, own),
        HelpGroup("Everywhere", [entry for entry in entries if entry.node is app]),
        HelpGroup("Basics", [entry for entry in entries if entry.node is not app and not entry.binding_id]),
    ]
    return [group for group in groups if group.entries]


def help_text(groups: Iterable[HelpGroup]) -> Content:
    parts: list[Content | str | tuple[str, str]] = []
    for group in groups:
        if parts:
            parts.append("\n")
        parts.append((f"{group.title}\n", "bold $text-accent"))
        for entry in group.entries:
            keys = " · ".join(entry.keys)
            parts.append((f"  {keys:<14}", "bold $text-primary"))
            parts.append(f"{entry.description:<40}")
            parts.append((f"{entry.binding_id or ''}\n", "italic $text-muted"))
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Built from the active bindings of the screen underneath, so remapped keys show as they are now."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
        border: round $primary; background: $surface;
    }
    HelpScreen #help-hint { color: $text-muted; margin-top: 1; }
    HelpScreen #help-log { color: $text-muted; margin-bottom: 1; }
    """

    def __init__(self, groups: list[HelpGroup]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            path = log_path()
            where = f"Diagnostic log (attach it to a bug report): {path}" if path else "Diagnostic log: not written"
            yield Static(where, id="help-log", markup=False)
            yield Static(help_text(self.groups), id="help-keys")
            yield Static(
                "In a text field Esc leaves it (in a dialog: closes it), and the keys above are keys again.\n"
                "Binding ids (right) can be remapped in config.yaml: keymap: {pods.delete: ctrl+x}.  Esc closes.",
                id="help-hint",
            )
