"""The last image build's context folder and Dockerfile, kept in the state folder, so a starter k8sx.yaml can name
them. The Images screen's build records it (`LastBuild().set(...)`); nothing recorded: None."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tui.models.xdg import state_dir


@dataclass(frozen=True)
class BuildPlace:
    context: Path
    dockerfile: str  # as given to the build: relative to the context


class LastBuild:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "last-build.json"

    def get(self) -> BuildPlace | None:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("context"), str):
            return None
        return BuildPlace(Path(data["context"]), str(data.get("dockerfile") or "Dockerfile"))

    def set(self, context: Path, dockerfile: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"context": str(context), "dockerfile": dockerfile}))
        temporary.replace(self.path)
