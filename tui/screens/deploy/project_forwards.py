"""The project's `forwards:` started for its pod already running: when the app starts in the project's folder, and
when the Deploy screen reads a project file (opened with P, or saved). The loop starts them itself for a pod it runs.

Light to import (the app imports it at start): the project file is read, and the cluster asked, in a thread worker,
and only when there is a project with forwards."""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from tui.models.project.project_file import Project
    from tui.services.kube.kube import KubeService

log = logging.getLogger(__name__)
# One look and start at a time: the app's start and the Deploy screen may ask at once, and a preset's "already
# running?" check must see the other's forward, or it would start twice.
_turn = threading.Lock()


def forward_project_in(app: App[Any], kube: KubeService, folder: Path) -> None:
    """For the app's start: the forwards of `folder`'s k8sx.yaml, if its pod runs."""
    _run(app, partial(_start, app, kube, None, folder))


def forward_project(app: App[Any], kube: KubeService, project: Project) -> None:
    """The forwards of `project`, if it has any and its pod runs."""
    if project.forwards:
        _run(app, partial(_start, app, kube, project, project.folder))


def _run(app: App[Any], start: partial[None]) -> None:
    app.run_worker(start, thread=True, group="project-forwards", exit_on_error=False)


def _start(app: App[Any], kube: KubeService, project: Project | None, folder: Path) -> None:
    """In a thread worker. A project file that cannot be read is the Deploy screen's to explain: nothing said."""
    from tui.models.deploy.pod_template import ManifestError
    from tui.models.forward.presets import forwarding_text
    from tui.models.project.project_file import ProjectError
    from tui.services.heavy_imports import heavy_imports
    from tui.services.project.project_file import find_project, load_project
    from tui.services.project.project_forwards import project_pod  # the client itself is imported where used

    if project is None:
        path = find_project(folder)
        if path is None:
            return
        try:
            project = load_project(path)
        except ProjectError:
            return
    if not project.forwards:
        return
    with _turn:
        try:
            pod = project_pod(kube, project)
        except ManifestError:
            return
        except Exception as exc:  # the cluster's answer, in words: nothing else is lost
            log.info("the forwards of %s not started", project.path, exc_info=True)
            _say(app, f"the forwards of {project.path} not started: {kube.explain(exc)}", "warning")
            return
        if pod is None:
            return
        with heavy_imports():  # the forward stack (websocket), perhaps for the first time
            from tui.services.forward.manager import ForwardManager

            manager = getattr(app, "forwards", None)  # the app's, alive across screens
        if not isinstance(manager, ForwardManager):
            return
        before = len(manager.statuses())
        problems = manager.start_presets(list(project.forwards), pod.namespace, pod.name, pod.experiment)
        started = len(manager.statuses()) > before
    for problem in problems:
        _say(app, problem, "warning")
    forwarding = forwarding_text(project.forwards, manager.statuses(), f"{pod.namespace}/{pod.experiment}")
    if started and forwarding:  # said once, not each time the project file is read again
        _say(app, f"pod {pod.namespace}/{pod.name} is there: forwarding {forwarding}", "information")


def _say(app: App[Any], text: str, severity: SeverityLevel) -> None:
    with suppress(RuntimeError):  # the app has gone meanwhile
        app.call_from_thread(app.notify, text, title="Forwards", severity=severity, markup=False, timeout=10)
