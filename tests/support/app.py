"""The real app under Pilot: making it, letting it run until something holds, answering its dialogs, and what its
status line and pod list say."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker

from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.widgets.status_line import StatusLine

SIZE = (180, 30)


async def settle(pilot: Pilot[object], predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until predicate holds (workers post from threads; the UI needs turns to apply them)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        await pilot.pause(0.1)
        await asyncio.sleep(0)


async def answer_dialog(pilot: Pilot[object], app: K8sxApp, *keys: str, timeout: float = 30.0) -> object:
    """Press `keys` on the dialog on top (a ConfirmScreen ...) and return its answer once everything that answer set
    off is over: the callback of the screen that opened the dialog has run, the messages it posted there (and
    bubbled to the app) were handled, and the workers of that screen started meanwhile have ended. After a cancel,
    "nothing happened" is then a fact to check, not a guess after a fixed sleep."""
    dialog, screen = app.screen, app.screen_stack[-2]
    pending = dialog._result_callbacks[-1]  # Textual's record of the callback given to push_screen
    asked = pending.callback
    assert asked is not None, f"{type(dialog).__name__} was opened without a callback"
    answers: list[object] = []

    def handled(result: object) -> None:
        asked(result)
        # Behind whatever the callback posted: first through the screen's queue, then through the app's.
        screen.call_later(lambda: app.call_later(lambda: answers.append(result)))

    def of_screen(worker: Worker[Any]) -> bool:
        node = worker.node
        return node is screen or (isinstance(node, Widget) and screen in node.ancestors)

    pending.callback = handled
    before = set(app.workers)
    await pilot.press(*keys)
    await settle(pilot, lambda: bool(answers), timeout, what=f"the answer to {type(dialog).__name__} handled")
    started = [worker for worker in app.workers if worker not in before and of_screen(worker)]
    await settle(pilot, lambda: all(w.is_finished for w in started), timeout, what=f"the workers it started: {started}")
    return answers[0]


def status_text(app: K8sxApp) -> str:
    return str(app.screen.query_one(StatusLine).content)


def pods_info(app: K8sxApp) -> str:
    return str(app.screen.query_one("#pods-info", Static).content)


def make_app(kubeconfig: str, docker_host: str, context: str | None = None, namespace: str | None = None) -> K8sxApp:
    return K8sxApp(Backends(KubeService(kubeconfig, context, namespace), DockerService(docker_host)))
