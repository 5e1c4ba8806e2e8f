"""F on the Deploy screen as a flow: the fan-out form (N pods or one Indexed Job), a look for an earlier run of the
same name (replaced only after a confirm: it is deleted and waited for first), then the apply; the screen follows
the fan-out once applied."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from tui.models.deploy.fanout import FanOutProgress
from tui.models.deploy.pod_template import Manifest, TemplateError, name_of, pods_of
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen, FormValues
from tui.screens.deploy.forms import (
    FAN_OUT_DEFAULTS,
    FanOutRequest,
    fan_out_fields,
    fan_out_request,
    fan_out_values,
)
from tui.screens.deploy.outcome import DeployOutcome
from tui.services.deploy.apply import ApplyFailed
from tui.services.deploy.fanout_existing import EarlierFanOut
from tui.services.deploy.fanout_follow import FanOutFollower

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen

NOTE = "{index} in command, args, env values: 0, 1, 2 … (in a Job: $(JOB_COMPLETION_INDEX))"


@dataclass
class FanOutProgressed(Message):
    """Where the followed fan-out stands now; `token` tells a stale follow from the current one."""

    progress: FanOutProgress
    token: threading.Event

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FanOutProgressed) and message.token is self.token  # the same follow's older state


class FanOutFlow:
    """Owned by the Deploy screen; keeps what was typed in the form for next time."""

    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen
        self.values = dict(FAN_OUT_DEFAULTS)
        self.earlier = EarlierFanOut(screen.applier)

    def start(self, manifests: list[Manifest]) -> None:
        """`manifests`: the editor's, checked; the one pod in them is fanned out, its claims applied beside."""
        screen = self.screen
        pods = pods_of(manifests)
        if len(pods) != 1:
            screen.say(f"a fan-out starts from one pod; the YAML has {len(pods)}", ok=False)
            return
        values = dict(self.values, name=self.values["name"] or name_of(pods[0]))

        def chosen(result: FormValues | None) -> None:
            if result is None:
                return
            self.values = fan_out_values(result)
            try:
                request = fan_out_request(pods[0], self.values)
            except (ValueError, TemplateError) as exc:
                screen.notify(f"fan-out: {exc}", title="Fan-out", severity="error", timeout=10)
                self.start(manifests)  # the form again, with everything typed in it
                return
            claims = [m for m in manifests if m.get("kind") != "Pod"]
            namespace = screen.target_namespace
            screen.say(f"{request.what}: looking for an earlier one in {namespace}…", ok=True)
            screen.run_worker(
                partial(self._look_then_apply, namespace, request, claims),
                thread=True,
                group="deploy-apply",
                exit_on_error=False,
            )

        screen.app.push_screen(FormScreen("Fan-out", fan_out_fields(values), "Start", NOTE), chosen)

    def _look_then_apply(self, namespace: str, request: FanOutRequest, claims: list[Manifest]) -> None:
        """In a thread worker."""
        app = self.screen.app
        try:
            found = self.earlier.find(namespace, request.name, request.count, request.job)
        except ApplyFailed as exc:
            app.call_from_thread(self.screen.say, str(exc), False)
            return
        if not found:
            app.call_from_thread(self._apply, namespace, request, claims, False)
            return
        listed = "\n".join(f"  {item}" for item in found[:10])
        more = f"\n  … and {len(found) - 10} more" if len(found) > 10 else ""
        gone = "it is deleted with its pods" if request.job else "they are deleted"
        question = (
            f"An earlier fan-out {request.name} is still in {namespace}:\n{listed}{more}\n"
            f"Start {request.what} anyway? First {gone} (their logs go too; files on claims stay)."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._apply(namespace, request, claims, True)

        app.call_from_thread(app.push_screen, ConfirmScreen(question, "Replace"), confirmed)

    def _apply(self, namespace: str, request: FanOutRequest, claims: list[Manifest], replace: bool) -> None:
        screen = self.screen
        screen.new_follow()  # what was followed is old news now
        follower = FanOutFollower(screen.kube, namespace, request.name, request.count, request.job)
        first = None
        if replace:
            first = partial(self._check_then_remove, namespace, request, claims)
            screen.say(f"checking {request.what}, deleting the earlier fan-out {request.name}, then applying…", ok=True)
        else:
            screen.say(f"applying {request.what} into {namespace}…", ok=True)
        screen.apply(namespace, [*claims, *request.manifests], follower, first)

    def _check_then_remove(self, namespace: str, request: FanOutRequest, claims: list[Manifest]) -> None:
        """In the apply's worker: nothing of the earlier run goes unless the API would take the new one; the wait
        for it to go says how it goes (Esc stops it, K forces a pod being deleted)."""
        screen = self.screen
        self.earlier.check(namespace, [*claims, *request.manifests])
        screen.stop_wait = threading.Event()
        try:
            for said in self.earlier.remove(namespace, request.name, request.job, screen.stop_wait):
                screen.deletion = self.earlier.deletion
                screen.post_message(DeployOutcome(said, ok=True))
        finally:
            screen.stop_wait, screen.deletion = None, None
