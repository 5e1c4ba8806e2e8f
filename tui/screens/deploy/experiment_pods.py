"""R and X on the Deploy screen, on the app's own pods: one started again from the very manifest it was applied with
(deleted first, after a confirm), and the finished ones deleted (after a confirm that lists them, or the safe
clean-up's question when a run's logs or results would be lost)."""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from tui.messages import PodsDeployed
from tui.models.units import counted
from tui.screens.common.cleanup import CleanupOutcome, SafeDeletion, app_puller
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.failures import Notice
from tui.screens.deploy.outcome import DeployOutcome
from tui.services.deploy.apply import ApplyFailed
from tui.services.deploy.pod_deletion import PodDeletion
from tui.services.pods.experiment_pods import ExperimentPod
from tui.services.runs.cleanup import PodToDelete

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


class ExperimentPodActions:
    """Owned by the Deploy screen; each outcome comes back to it as a DeployOutcome."""

    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen
        # X asks first about runs whose logs or results would be lost (the pull is the app's: see app_puller)
        self.cleanup = SafeDeletion(screen, screen.kube, lambda: app_puller(screen))

    def restart_selected(self) -> None:
        screen = self.screen
        row = screen.pod_view.cursor_row
        if row is None:
            screen.notify("no pod selected", severity="warning")
            return
        alive = row.status in ("Running", "ContainerCreating") or row.status.startswith("Pending")
        question = (
            f"Restart pod {row.key} from the manifest it was applied with?\n"
            + ("It is still running: it is deleted first." if alive else "The dead pod (and its log) is deleted first.")
            + "\nIts claims, and the results on them, stay."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                screen.run_worker(
                    partial(self._restart, row.namespace, row.name),
                    name="restart",
                    thread=True,
                    group="deploy-apply",
                    exit_on_error=False,
                )

        screen.app.push_screen(ConfirmScreen(question, "Restart"), confirmed)

    def _restart(self, namespace: str, name: str) -> None:
        """In a thread worker: the remembered manifest, the old pod deleted and waited for (each look said; Esc stops
        waiting, K forces it), then the manifest applied again."""
        screen = self.screen
        manifest = screen.applier.store.recall(namespace, name)
        if manifest is None:
            text = (
                f"no manifest remembered for pod {name} in {namespace} (it was not applied from this app on this "
                "machine): open its YAML and apply it"
            )
            screen.post_message(DeployOutcome(text, ok=False))
            return
        screen.post_message(DeployOutcome(f"restarting {name}: deleting the old pod…", ok=True))
        deletion = PodDeletion(screen.kube, namespace, name)
        screen.stop_wait, screen.deletion = threading.Event(), deletion
        try:
            gone = False
            for progress in deletion.run(screen.stop_wait):
                screen.post_message(DeployOutcome(f"restarting {name}: {progress.summary()}", ok=True))
                gone = progress.gone
            applied = screen.applier.apply(namespace, [manifest])[0] if gone else None
        except ApplyFailed as exc:
            applied, failure = None, str(exc)
        else:
            failure = f"stopped waiting: pod {name} is still being deleted; R again restarts it once it is gone"
        finally:
            screen.stop_wait, screen.deletion = None, None  # before the outcome: it redraws the keys and the hint
        if applied is None:
            screen.post_message(DeployOutcome(failure, ok=False))
            return
        screen.post_message(PodsDeployed(namespace))
        screen.post_message(DeployOutcome(f"restarted: {applied}", ok=True, follow=(namespace, name)))

    def delete_finished(self) -> None:
        self.screen.run_worker(
            self._ask_delete_finished,
            name="action_delete_finished",
            thread=True,
            group="deploy-clean",
            exclusive=True,
            exit_on_error=False,
        )

    def _ask_delete_finished(self) -> None:
        """In a thread worker."""
        screen = self.screen
        namespace = screen.target_namespace
        try:
            finished = screen.experiment_pods.finished(namespace)
        except Exception as exc:
            screen.post_message(DeployOutcome(f"cannot list the finished pods: {screen.kube.explain(exc)}", ok=False))
            return
        if not finished:
            screen.post_message(Notice(f"no finished pods of k8sx-tui in {namespace}", title="Clean up"))
            return
        names = "\n".join(f"  {pod.name} ({pod.phase}{f', job {pod.job}' if pod.job else ''})" for pod in finished[:10])
        more = f"\n  … and {len(finished) - 10} more" if len(finished) > 10 else ""
        question = (
            f"Delete {len(finished)} finished pod{'s' if len(finished) != 1 else ''} in {namespace}?\n{names}{more}"
        )
        jobs = sorted({pod.job for pod in finished if pod.job})
        if jobs:
            question += (
                f"\nJob {', '.join(jobs)}: once ended, it is deleted with its pods (its other pods too); "
                "while it runs, only these finished pods go and it carries on."
            )
        pods = {pod.key: pod for pod in finished}
        targets = [PodToDelete(pod.namespace, pod.name, pod.job, finished=True) for pod in finished]
        screen.app.call_from_thread(
            self.cleanup.start, targets, lambda chosen: self._delete_pods([pods[t.key] for t in chosen]), self._done,
            question,
        )  # fmt: skip

    def _delete_pods(self, pods: list[ExperimentPod]) -> list[str]:
        """In a thread worker: the failures in words."""
        return self.screen.experiment_pods.delete(pods)

    def _done(self, outcome: CleanupOutcome) -> None:
        screen = self.screen
        if outcome.cancelled:
            return
        if outcome.failed or outcome.problems:
            text = "cannot delete: " + "; ".join(outcome.failed + outcome.problems)
            screen.post_message(DeployOutcome(text, ok=False))
        else:
            shown = screen.last_fan_out if screen.fanout is not None else None  # say what is left of the fan-out shown
            text = f"deleting {counted(outcome.deleted, 'finished pod')}"
            screen.post_message(DeployOutcome(text, True, fan_out=shown))
