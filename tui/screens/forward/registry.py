"""The app's one ForwardManager: forwards outlive the screens that started or show them. Kept on the app as
`app.forwards` (made by the app; created here on first use for an app without one, e.g. in tests)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.services.forward.manager import ForwardManager
from tui.services.kube.kube import KubeService


def forwards_of(app: App[Any], kube: KubeService) -> ForwardManager:
    manager = getattr(app, "forwards", None)
    if not isinstance(manager, ForwardManager):
        manager = ForwardManager(kube)
        app.forwards = manager  # type: ignore[attr-defined]
    return manager


def restore_kept_forwards(app: App[Any], kube: KubeService) -> None:
    """The forwards kept from the last run started again (for the app's on_mount); problems as warnings."""
    for problem in forwards_of(app, kube).restore_kept():
        app.notify(problem, title="Forwards", severity="warning", markup=False, timeout=15)
