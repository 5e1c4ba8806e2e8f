"""Safe clean-up: deleting pods (ctrl+d on the pod list, X on Deploy, the leave prompt's "Delete them") asks first
when one belongs to a run whose logs are not archived to their end or whose results were never pulled, saying which
and why: Cancel, pull the results and archive the logs then delete, or delete anyway. Other pods are deleted as
before (after the caller's own confirm, if it has one)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

from tui.models.pods.row import PodRow
from tui.models.transfer.progress import TransferSummary
from tui.models.units import counted
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.progress import JobEnded, JobProgressed, ProgressScreen, close_binding
from tui.services.kube.kube import KubeService
from tui.services.runs.cleanup import PodToDelete, RunAtRisk, logs_left, runs_at_risk
from tui.services.runs.store import RunStore

log = logging.getLogger(__name__)

CANCEL, PULL, ANYWAY = "cancel", "pull", "anyway"
PULL_LABEL = "Pull results and archive logs, then delete"
ARCHIVE_WAIT_S = 120.0  # how long the run follower gets to archive the logs to their end
POLL_S = 0.5
SHOWN = 10
BEGUN, ENDED = "begun", "ended"  # what the clean-up waits for of a pod's logs
JOB_LABELS = ("batch.kubernetes.io/job-name", "job-name")  # a Job's pods carry its name (the first since 1.27)
FINISHED_STATUSES = ("Completed", "Succeeded", "Error", "Failed", "OOMKilled")

Delete = Callable[[list[PodToDelete]], list[str]]
"""Deletes the pods, in a worker thread; returns the failures in words."""
Pulled = dict[str, TransferSummary | str]
"""Each pod's pull (by its key): what arrived, or why nothing did."""


class Puller(Protocol):
    """The pod list's pull of results (r), for the pods whose results were never pulled; the screens that may not
    import the transfer flows get it from the app."""

    def results_from(self) -> str:
        """Where in the pod the results are read (said in the question)."""

    def pull(self, pods: list[PodToDelete], done: Callable[[Pulled | None], None]) -> None:
        """Pull each pod's results; `done` on the UI thread with each pod's outcome, None when the user stopped it."""


@dataclass(frozen=True)
class CleanupOutcome:
    deleted: int = 0
    problems: list[str] = field(default_factory=list)  # pods not deleted, or logs left incomplete, and why
    failed: list[str] = field(default_factory=list)  # deletions the server refused
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return not (self.cancelled or self.problems or self.failed)


class CleanupQuestion(ModalScreen[str]):
    """Cancel has the focus, so a stray Enter deletes nothing."""

    BINDINGS = [Binding("escape", f"dismiss('{CANCEL}')", "Cancel", id="cleanup.cancel")]
    DEFAULT_CSS = """
    CleanupQuestion { align: center middle; }
    CleanupQuestion > Vertical {
        width: auto; max-width: 90%; height: auto; padding: 1 2;
        border: thick $error; background: $surface;
    }
    CleanupQuestion Label { margin-bottom: 1; max-width: 100%; }
    CleanupQuestion Horizontal { height: auto; align-horizontal: right; }
    CleanupQuestion Button { margin-left: 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="cleanup-question", markup=False)  # pod names may hold [ ]
            with Horizontal():
                yield Button("Cancel", id=CANCEL)
                yield Button(PULL_LABEL, id=PULL, variant="primary")
                yield Button("Delete anyway", id=ANYWAY, variant="error")

    def on_mount(self) -> None:
        self.query_one(f"#{CANCEL}", Button).focus()

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or CANCEL)


def question_text(heading: str, at_risk: Sequence[RunAtRisk], results_from: str) -> str:
    listed = "\n".join(f"  {risk.words()}" for risk in at_risk[:SHOWN])
    more = f"\n  … and {len(at_risk) - SHOWN} more" if len(at_risk) > SHOWN else ""
    whose = "It belongs to a run" if len(at_risk) == 1 else f"{len(at_risk)} of them belong to runs"
    into = f"results/{at_risk[0].pod.name}" if len(at_risk) == 1 else "results/, a folder for each pod"
    return (
        f"{heading}\n\n{whose} that would lose what it was for:\n{listed}{more}\n\n"
        f"{PULL_LABEL}: the results (from {results_from}) are pulled into {into}, and the run follower gets "
        f"up to {ARCHIVE_WAIT_S:.0f} s to archive the logs to their end (a running pod's log ends once it is deleted)."
    )


@runtime_checkable
class PullerSource(Protocol):
    """What the app offers the screens that may not import the pod list's pull flows (Deploy's X)."""

    def cleanup_puller(self, screen: Screen[Any]) -> Puller: ...


def app_puller(screen: Screen[Any]) -> Puller | None:
    """The app's pull for a clean-up asked on `screen`; None when this app offers none."""
    app = screen.app
    return app.cleanup_puller(screen) if isinstance(app, PullerSource) else None


def pod_to_delete(row: PodRow) -> PodToDelete:
    """A row of a pod list: its Job from the label the Job controller puts on its pods, finished from kubectl's
    STATUS (a pod not known as finished is taken for running: the run's recorded phase may still say it ended)."""
    job = next((row.labels[key] for key in JOB_LABELS if row.labels.get(key)), "")
    return PodToDelete(row.namespace, row.name, job, row.status in FINISHED_STATUSES)


class SafeDeletion:
    """A clean-up asked on `screen`: the runs looked up in a worker, the question, then the deletion."""

    def __init__(
        self,
        screen: Screen[Any],
        kube: KubeService,
        puller: Callable[[], Puller | None],
        store: Callable[[], RunStore] = RunStore,
    ) -> None:
        self.screen = screen
        self.kube = kube
        self.puller = puller
        self.store = store

    def start(
        self,
        pods: list[PodToDelete],
        delete: Delete,
        done: Callable[[CleanupOutcome], None],
        heading: str,
        quitting: bool = False,
    ) -> None:
        """`heading`: what is asked today ("Delete pod ns/x?"), asked as it is when no run is at risk, unless
        `quitting` (the leave prompt asked already; then a running pod's log must be read to its end before the app
        goes). `done` is called on the UI thread at the end."""
        self.screen.run_worker(
            partial(self._check, pods, delete, done, heading, quitting),
            name="checking the pods' runs",
            thread=True,
            group="cleanup",
            exit_on_error=False,
        )

    def _check(
        self,
        pods: list[PodToDelete],
        delete: Delete,
        done: Callable[[CleanupOutcome], None],
        heading: str,
        quitting: bool,
    ) -> None:
        """In a thread worker: the run records read (SQLite), then the question on the UI thread."""
        problem = ""
        try:
            at_risk = runs_at_risk(self.store(), self.kube.context or "", pods, quitting)
        except Exception as exc:
            log.warning("reading the run records before a deletion failed", exc_info=True)
            at_risk, problem = (
                [],
                f"The run records could not be read ({exc}): whether logs and results are kept is not known.",
            )
        self.screen.app.call_from_thread(self._ask, pods, at_risk, problem, delete, done, heading, not quitting)

    def _ask(
        self,
        pods: list[PodToDelete],
        at_risk: list[RunAtRisk],
        problem: str,
        delete: Delete,
        done: Callable[[CleanupOutcome], None],
        heading: str,
        ask: bool,
    ) -> None:
        app = self.screen.app
        if not at_risk:
            if not ask:
                self._delete_now(pods, delete, done)
                return
            question = f"{heading}\n\n{problem}" if problem else heading

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._delete_now(pods, delete, done)
                else:
                    done(CleanupOutcome(cancelled=True))

            app.push_screen(ConfirmScreen(question), confirmed)
            return
        try:
            puller = self.puller()
        except Exception:  # the question is still asked, without the pull (its answer says where to pull)
            log.exception("the pull of results could not be offered before a deletion")
            puller = None
        results_from = puller.results_from() if puller else "the pod"

        def answered(choice: str | None) -> None:
            if choice == ANYWAY:
                self._delete_now(pods, delete, done)
            elif choice == PULL and puller is not None:
                self._pull(puller, pods, at_risk, delete, done)
            else:
                if choice == PULL:
                    app.notify("pulling results from here is not offered: r on the pod list (1) pulls them")
                done(CleanupOutcome(cancelled=True))

        app.push_screen(CleanupQuestion(question_text(heading, at_risk, results_from)), answered)

    def _delete_now(self, pods: list[PodToDelete], delete: Delete, done: Callable[[CleanupOutcome], None]) -> None:
        def work() -> None:
            try:
                failed = delete(pods)
                outcome = CleanupOutcome(len(pods) - len(failed), failed=failed)
            except Exception as exc:  # the flow must still end (a quit waits on it), with the failure said
                log.exception("deleting %s failed", ", ".join(pod.key for pod in pods))
                outcome = CleanupOutcome(failed=[f"deleting {counted(len(pods), 'pod')} failed: {exc}"])
            self.screen.app.call_from_thread(done, outcome)

        self.screen.run_worker(work, name="deleting pods", thread=True, group="cleanup", exit_on_error=False)

    def _pull(
        self,
        puller: Puller,
        pods: list[PodToDelete],
        at_risk: list[RunAtRisk],
        delete: Delete,
        done: Callable[[CleanupOutcome], None],
    ) -> None:
        unpulled = [risk.pod for risk in at_risk if risk.unpulled]
        if not unpulled:
            self._archive(pods, at_risk, {}, delete, done)
            return

        def pulled(results: Pulled | None) -> None:
            if results is None:
                done(CleanupOutcome(cancelled=True))
            else:
                self._archive(pods, at_risk, results, delete, done)

        puller.pull(unpulled, pulled)

    def _archive(
        self,
        pods: list[PodToDelete],
        at_risk: list[RunAtRisk],
        pulled: Pulled,
        delete: Delete,
        done: Callable[[CleanupOutcome], None],
    ) -> None:
        screen = ArchiveThenDeleteScreen(self.store, pods, at_risk, pulled, delete)
        self.screen.app.push_screen(screen, lambda outcome: done(outcome or CleanupOutcome(cancelled=True)))


class ArchiveThenDeleteScreen(ProgressScreen[CleanupOutcome]):
    """Deletes what is safe now, waits for the run follower to archive the other logs to their end (a running pod's
    log ends once the pod is deleted: deleted first, then waited for), one line per pod. Closes by itself when every
    pod went as asked; otherwise it says what was not done until Esc."""

    BINDINGS = [close_binding("cleanup.close")]
    DEFAULT_CSS = """
    ArchiveThenDeleteScreen #cleanup-pods { height: auto; padding: 0 1; }
    """
    TITLE_ID = "cleanup-title"

    def __init__(
        self,
        store: Callable[[], RunStore],
        pods: list[PodToDelete],
        at_risk: list[RunAtRisk],
        pulled: Pulled,
        delete: Delete,
    ) -> None:
        super().__init__(f"Archive the logs, then delete {counted(len(pods), 'pod')}")
        self.store = store
        self.pods = pods
        self.at_risk = {risk.pod.key: risk for risk in at_risk}
        self.pulled = pulled
        self.delete = delete
        self.result = CleanupOutcome(cancelled=True)

    def compose_body(self) -> ComposeResult:
        yield Static("starting…", id="cleanup-status", classes="progress-status", markup=False)
        yield Static("", id="cleanup-pods", classes="progress-detail", markup=False)

    def on_mount(self) -> None:
        self.run_job(self.work)

    def outcome(self) -> CleanupOutcome:
        return self.result

    def work(self, report: Callable[[list[str]], None], cancel: threading.Event) -> CleanupOutcome:
        """In the worker: the safe pods deleted, then the others as their logs allow: a finished
        pod once its logs are archived to the end; a running one once each log is begun (the follower follows it),
        and then its log awaited to the end (it ends with the pod)."""
        store = self.store()
        problems: list[str] = []
        held: set[str] = set()
        for key, pulled in self.pulled.items():  # (a pull is recorded on its run by the pull itself)
            if isinstance(pulled, str):
                problems.append(f"{key}: not deleted, its results were not pulled ({pulled})")
                held.add(key)
        stages = {  # key -> BEGUN (a running pod: not deleted yet) | ENDED (what is awaited next)
            key: ENDED if risk.finished else BEGUN
            for key, risk in self.at_risk.items()
            if risk.logs and key not in held
        }
        now = [pod for pod in self.pods if pod.key not in held and pod.key not in stages]
        failed = self.delete(now) if now else []
        deleted = len(now) - len(failed)
        lines: dict[str, str] = {}
        deadline = time.monotonic() + ARCHIVE_WAIT_S
        while stages:
            for key, stage in list(stages.items()):
                risk = self.at_risk[key]
                left = logs_left(store, risk.run_id, begun_is_enough=stage == BEGUN)
                if left:
                    lines[key] = f"{key}: {left}"
                    continue
                if stage == BEGUN or risk.finished:
                    refused = self.delete([risk.pod])
                    failed += refused
                    deleted += not refused
                    if refused:
                        del stages[key]
                        lines[key] = f"{key}: not deleted"
                        continue
                if stage == BEGUN:
                    stages[key] = ENDED
                    lines[key] = f"{key}: deleted, its log being read to the end"
                else:
                    del stages[key]
                    lines[key] = f"{key}: log archived to the end{', deleted' if risk.finished else ''}"
            remaining = max(0.0, deadline - time.monotonic())
            waiting = f"waiting for the logs of {counted(len(stages), 'pod')} (up to {remaining:.0f} s more, Esc stops)"
            report([waiting if stages else "logs archived", *lines.values()])
            if not stages or remaining <= 0 or cancel.wait(POLL_S):
                break
        why = "stopped waiting" if cancel.is_set() else f"after {ARCHIVE_WAIT_S:.0f} s"
        for key, stage in stages.items():
            risk = self.at_risk[key]
            left = logs_left(store, risk.run_id, begun_is_enough=stage == BEGUN)
            if stage == BEGUN or risk.finished:
                problems.append(f"{key}: not deleted, {left} ({why})")
            else:
                problems.append(f"{key}: deleted, but {left} ({why}; the run follower may still add its last lines)")
        return CleanupOutcome(deleted, problems, failed)

    def on_job_progressed(self, message: JobProgressed[list[str]]) -> None:
        status, *lines = message.progress
        self.status.update(status)
        self.query_one("#cleanup-pods", Static).update("\n".join(lines))

    def on_job_ended(self, message: JobEnded[CleanupOutcome]) -> None:
        if message.result is None:
            self.result = CleanupOutcome(problems=[message.error])
            self.end(message.error, failed=True)
            return
        self.result = message.result
        if self.result.complete:
            self.dismiss(self.result)
            return
        self.query_one("#cleanup-pods", Static).update("\n".join([*self.result.problems, *self.result.failed]))
        self.end(f"{counted(self.result.deleted, 'pod')} deleted; not all went as asked (listed below)", failed=True)
