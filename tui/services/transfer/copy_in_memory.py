"""The local path last copied into each pod (`u`), kept across runs in $XDG_STATE_HOME/k8sx-tui/copy-in.json, so
the next copy into that pod starts there instead of at a folder that was never chosen."""

from __future__ import annotations

import json
from pathlib import Path

from tui.models.xdg import state_dir

KEPT = 200  # pods remembered; the oldest are forgotten first


class LastCopyIn:
    """`{"NS/POD": "/local/path", ...}`, the most recent last."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "copy-in.json"

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): value for key, value in data.items() if isinstance(value, str) and value}

    def get(self, pod_key: str) -> str:
        """The local path last copied into the pod; "" when none (or the file is unreadable)."""
        return self._load().get(pod_key, "")

    def set(self, pod_key: str, local: str) -> None:
        """Written whole to a temporary file and renamed, so a crash never leaves half a file; an unwritable state
        folder only loses the memory (OSError is the caller's to ignore)."""
        data = self._load()
        data.pop(pod_key, None)
        data[pod_key] = local
        kept = dict(list(data.items())[-KEPT:])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(kept, indent=1) + "\n")
        temporary.replace(self.path)
