"""Where the app keeps its files, by the XDG base directory rules: settings under $XDG_CONFIG_HOME, what it
remembers between runs (and its diagnostic log) under $XDG_STATE_HOME. A relative value is ignored, as the rules say."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_DIR = "k8sx-tui"


def _base(environ: Mapping[str, str] | None, variable: str, fallback: str) -> Path:
    env = os.environ if environ is None else environ
    base = env.get(variable) or ""
    return Path(base) if Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / fallback


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/k8sx-tui, by default ~/.config/k8sx-tui."""
    return _base(environ, "XDG_CONFIG_HOME", ".config") / APP_DIR


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_STATE_HOME/k8sx-tui, by default ~/.local/state/k8sx-tui."""
    return _base(environ, "XDG_STATE_HOME", ".local/state") / APP_DIR
