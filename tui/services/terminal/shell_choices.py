"""The shells chosen with `S` on the Terminal screen, kept across runs in $XDG_STATE_HOME/k8sx-tui/shells.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.models.terminal.shells import ShellPreferences
from tui.models.xdg import state_dir


def _commands(value: Any) -> dict[str, tuple[str, ...]]:
    """A {key: [word, ...]} table as read from the file; anything malformed in it is left out."""
    if not isinstance(value, dict):
        return {}
    return {
        str(key): tuple(str(word) for word in words)
        for key, words in value.items()
        if isinstance(words, list) and words and all(isinstance(word, str) for word in words)
    }


class ShellChoices:
    """Loads and saves ShellPreferences: `{"pods": {"NS/APP": [...]}, "images": {"IMAGE": [...]}}`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "shells.json"

    def load(self) -> ShellPreferences:
        """What was saved; an absent or unreadable file is no choices (bash, else sh, everywhere)."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return ShellPreferences()
        if not isinstance(data, dict):
            return ShellPreferences()
        return ShellPreferences(_commands(data.get("pods")), _commands(data.get("images")))

    def save(self, preferences: ShellPreferences) -> None:
        """Written whole to a temporary file and renamed, so a crash never leaves half a file."""
        data = {
            "pods": {key: list(command) for key, command in sorted(preferences.by_pod.items())},
            "images": {key: list(command) for key, command in sorted(preferences.by_image.items())},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1) + "\n")
        temporary.replace(self.path)
