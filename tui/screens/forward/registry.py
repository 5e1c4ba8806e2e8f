"""The app's one ForwardManager: forwards outlive the screens that started or show them. Kept on the app as
`app.forwards` (made by the app; created here on first use for an app without one, e.g. in tests).

The forward stack (the kubernetes client, websocket) is imported only when a forward is wanted: a start with no
kept forwards reads one small file and imports nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

from tui.services.forward.kept import load_kept
from tui.services.kube.kube import KubeService

if TYPE_CHECKING:
    from tui.services.forward.manager import ForwardManager


def forwards_of(app: App[Any], kube: KubeService) -> ForwardManager:
    from tui.services.forward.manager import ForwardManager

    manager = getattr(app, "forwards", None)
    if not isinstance(manager, ForwardManager):
        manager = ForwardManager(kube)
        app.forwards = manager  # type: ignore[attr-defined]
    return manager


def restore_kept_forwards(app: App[Any], kube: KubeService) -> None:
    """The forwards kept from the last run started again (for the app's on_mount); problems as warnings."""
    specs, problems = load_kept()
    if specs:
        problems = forwards_of(app, kube).restore_kept()  # reads the file again, as it starts them
    for problem in problems:
        app.notify(problem, title="Forwards", severity="warning", markup=False, timeout=15)
