"""Forwards marked to come back on the next start of the app: $XDG_STATE_HOME/k8sx-tui/forwards.json. The file is
this user's but read as untrusted: an entry that is not a forward is skipped with a problem in words."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from tui.models.forward.forward import ForwardSpec
from tui.models.xdg import state_dir

FILE = "forwards.json"
FIELDS = {"namespace": str, "pod": str, "remote_port": int, "local_port": int, "address": str, "experiment": str}


def kept_path() -> Path:
    return state_dir() / FILE


def load_kept(path: Path | None = None) -> tuple[list[ForwardSpec], list[str]]:
    path = path or kept_path()
    try:
        entries = json.loads(path.read_text())
    except FileNotFoundError:
        return [], []
    except (OSError, ValueError) as exc:
        return [], [f"kept forwards not read from {path}: {exc}"]
    if not isinstance(entries, list):
        return [], [f"kept forwards not read from {path}: not a list"]
    specs, problems = [], []
    for index, entry in enumerate(entries):
        valid = isinstance(entry, dict) and all(isinstance(entry.get(key), kind) for key, kind in FIELDS.items())
        ports_ok = valid and all(1 <= entry[key] <= 65535 for key in ("remote_port", "local_port"))
        if not ports_ok:
            problems.append(f"kept forward #{index + 1} in {path} skipped: not a forward")
            continue
        specs.append(ForwardSpec(**{key: entry[key] for key in FIELDS}))
    return specs, problems


def save_kept(specs: list[ForwardSpec], path: Path | None = None) -> None:
    """Written whole to a temporary file, then moved over the old one: a crash never leaves half a file."""
    path = path or kept_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps([asdict(spec) for spec in specs], indent=2) + "\n")
    os.replace(temporary, path)
