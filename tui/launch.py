"""Launch options (what the command line and the environment, as kubectl and docker read it, asked for) and the
XDG folder of the settings file; the settings themselves are in tui/settings.py."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_DIR = "k8sx-tui"


@dataclass(frozen=True)
class LaunchOptions:
    kubeconfig: str | None = None  # None: $KUBECONFIG, then ~/.kube/config, as kubectl does
    context: str | None = None  # None: the kubeconfig's current-context
    namespace: str | None = None  # None: the context's namespace, then "default"
    docker_host: str | None = None  # None: $DOCKER_HOST, then the local socket, as the docker CLI does
    theme: str | None = None
    exec_protocol: str = "auto"  # how files move over exec: "auto" (SPDY, else websocket) or "websocket"


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/k8sx-tui, by default ~/.config/k8sx-tui (the XDG base directory rules)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".config"
    return root / APP_DIR
