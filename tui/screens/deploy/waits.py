"""The Deploy screen's waits, none of them silent: each says what it waits for and how long (the panel's last
line), Esc stops it (the loop, a deletion before a restart or a fan-out, a pod on its way), and K force-deletes a pod
being deleted, after a confirm."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tui.models.deploy.pod_progress import Verdict
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.deploy.pod_deletion import PodDeletion

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


class Waits:
    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen

    def for_pod(self) -> bool:
        """The followed pod is on its way (not Running, not ended)."""
        progress = self.screen.progress
        return progress is not None and progress.verdict in (Verdict.WAITING, Verdict.STUCK)

    def deletion(self) -> PodDeletion | None:
        """A pod deleted and waited for now (by R, a fan-out, or the loop)."""
        screen, loop = self.screen, self.screen.loops.running
        return screen.deletion or (loop.deletion if loop is not None else None)

    def any(self) -> bool:
        screen = self.screen
        return screen.stop_wait is not None or screen.loops.running is not None or self.for_pod()

    def hint(self) -> str:
        """What can be done about the wait going on, if any."""
        screen = self.screen
        if self.deletion() is not None:
            return "Esc stops waiting · K force-deletes it (after a confirm)"
        if screen.stop_wait is not None:
            return "Esc stops waiting"
        if screen.loops.running is not None:
            return "Esc stops the loop"
        if self.for_pod():
            return f"waiting {time.monotonic() - screen.follow_started:.0f} s · Esc stops waiting (the pod stays)"
        return ""

    def stop(self) -> None:
        screen = self.screen
        if screen.stop_wait is not None:
            screen.stop_wait.set()  # the worker says what it came to
        elif screen.loops.running is not None:
            screen.loops.cancel()
        elif self.for_pod():
            screen.new_follow()
            screen.say("stopped waiting (the pod stays: Enter on it follows it again)", ok=True)
        screen.refresh_bindings()

    def force(self) -> None:
        deletion = self.deletion()
        if deletion is None:
            return
        question = (
            f"Force-delete pod {deletion.name}?\nIts object goes from the API at once (grace period 0); its node may "
            "still be stopping its containers, and a process that has not stopped cannot finish writing its files."
        )
        self.screen.app.push_screen(
            ConfirmScreen(question, "Force delete"), lambda yes: deletion.force() if yes else None
        )
