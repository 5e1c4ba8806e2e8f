"""Remembers the last image reference pushed, so the deploy screen can put it into the pod YAML."""

from __future__ import annotations

import json
from pathlib import Path

from tui.models.xdg import state_dir


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
