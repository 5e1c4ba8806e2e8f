"""Remembers the last image reference pushed, so the deploy screen can put it into the pod YAML."""

from __future__ import annotations

import json
import os
from pathlib import Path


def state_dir() -> Path:
    """$XDG_STATE_HOME/k8sx-tui (default ~/.local/state/k8sx-tui)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "k8sx-tui"


class LastPushed:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "last-pushed.json"

    def get(self) -> str | None:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        reference = data.get("reference") if isinstance(data, dict) else None
        return str(reference) if reference else None

    def set(self, reference: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"reference": reference}))
        temporary.replace(self.path)
