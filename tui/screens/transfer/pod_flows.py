"""The pod list's copy keys as flows: r (pull results, from one pod or every marked pod), u (copy in) and
U (sync code). Forms and questions first, on the UI thread (they only look at local files), then a progress screen
whose worker does the I/O."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from tui.models.pods.row import PodRow
from tui.models.transfer.app_folders import RESULTS_FOLDER, results_folder
from tui.models.transfer.copy_target import PodKind
from tui.models.transfer.progress import TransferProgress, TransferSummary
from tui.models.units import human_bytes
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.screens.transfer.code_sync import SyncScreen
from tui.screens.transfer.copy_in_plan import CopyInPlanScreen
from tui.screens.transfer.copy_progress import CopyScreen
from tui.screens.transfer.destination_form import destination, destination_check, local_exists
from tui.screens.transfer.pull_many import PullJob, PullManyScreen
from tui.services.kube.kube import KubeService
from tui.services.transfer.claim_pull import ClaimPull
from tui.services.transfer.code_sync import SKIPPED, CodeSync
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.copy_in_memory import LastCopyIn
from tui.services.transfer.copy_in_target import CopyInPlan
from tui.services.transfer.destination import tree_size
from tui.services.transfer.pod_paths import PodPaths, pod_paths
from tui.services.transfer.pull import PodFileTransfer, pull_source
from tui.services.transfer.pull_resume import resume_offer

RESUME, START_OVER = "Resume", "Start over"

Progress = Callable[[TransferProgress], None]
PullCall = Callable[[Progress, threading.Event], TransferSummary]


def ask_then_pull(
    screen: Screen[Any],
    title: str,
    remote: str,
    local: Path,
    source: str,
    pull: Callable[[bool, bool], PullCall],
    whose: str = "the pod's",
) -> None:
    """Offer to resume a cut pull of the same `source`, then ask before replacing an existing folder (saying what it
    holds), then follow `pull(overwrite, resume)` on a progress screen. `local`: checked and normalised already."""
    app = screen.app

    def start(overwrite: bool, resume: bool) -> None:
        app.push_screen(CopyScreen(title, pull(overwrite, resume)))

    def then_replace(resume: bool) -> None:
        if local.exists():
            held = tree_size([local]).words()
            question = f"{local} already exists: {held}, deleted if you replace it.\nReplace it with {whose} {remote}?"
            app.push_screen(ConfirmScreen(question, "Replace"), lambda yes: start(True, resume) if yes else None)
        else:
            start(False, resume)

    offer = resume_offer(local, source)
    if offer is None:
        then_replace(False)
        return
    question = (
        f"A cut pull of {remote} into {local} left {offer.files} complete files ({human_bytes(offer.bytes)}). "
        "Resume keeps what matches the pod's sha256 and continues a half-written file."
    )

    def answered(choice: str | None) -> None:
        if choice in (RESUME, START_OVER):
            then_replace(choice == RESUME)

    app.push_screen(ChoiceScreen(question, [RESUME, START_OVER], RESUME), answered)


HELPER_NOTE = "A finished pod's results are read from its claim through a short-lived helper pod."


class PodTransfers:
    """Owned by the pod list screen; pushes its forms and progress screens on that screen's app."""

    def __init__(
        self, screen: Screen[Any], kube: KubeService, results_path: str, data_path: str, folder: Path | None = None
    ) -> None:
        """`results_path`, `data_path`: the settings' folders in the pod, used unless the project file `k8sx.yaml`
        in `folder` (default: the working directory) names its own."""
        self.screen = screen
        self.results_path = results_path
        self.data_path = data_path
        self.folder = folder or Path.cwd()
        self.transfer = PodFileTransfer(kube)
        self.claims = ClaimPull(kube, self.transfer)
        self.kube = kube
        self.pod_copy_in = PodCopyIn(kube)
        self.last_copy_in = LastCopyIn()
        self.code_sync = CodeSync(kube)
        self._synced: dict[str, tuple[str, str]] = {}  # pod key -> the last (local folder, pod folder) synced

    def paths(self) -> PodPaths:
        """The forms' pod folders, read again each time (the project file may have changed); a broken project file
        is said, and the settings apply."""
        found = pod_paths(self.folder, self.results_path, self.data_path)
        if found.problem:
            self.screen.notify(found.problem, title="Project file", severity="warning", timeout=15)
        return found

    # ---------------------------------------------------------------- r: pull results

    def pull(self, rows: list[PodRow]) -> None:
        if len(rows) > 1:
            self._pull_many(rows)
            return
        row = rows[0]
        paths = self.paths()
        fields = [
            Field("remote", f"Results in the pod (a folder or a file; from {paths.results_from})", paths.results,
                  required=True),
            Field("local", "Copy to (local folder)", str(results_folder(self.folder) / row.name), required=True),
        ]  # fmt: skip
        # A running pod's results come out over exec: the helper pod is only a finished one's way.
        note = "" if row.status == "Running" else HELPER_NOTE

        def chosen(values: FormValues | None) -> None:
            if values:
                self._ask_then_pull(row, str(values["remote"]), destination(values))

        form = FormScreen(f"Pull results from {row.key}", fields, "Pull", note, check=destination_check("local"))
        self.screen.app.push_screen(form, chosen)

    def _ask_then_pull(self, row: PodRow, remote: str, local: Path) -> None:
        def pull(overwrite: bool, resume: bool) -> PullCall:
            def call(progress: Progress, cancel: threading.Event) -> TransferSummary:
                return self.claims.pull_results(
                    row.namespace, row.name, remote, local, overwrite, progress, cancel, resume=resume
                )

            return call

        source = pull_source(row.namespace, row.name, remote)
        ask_then_pull(self.screen, f"Pull {row.key}:{remote} → {local}", remote, local, source, pull)

    def _pull_many(self, rows: list[PodRow]) -> None:
        paths = self.paths()
        fields = [
            Field(
                "remote",
                f"Results in each pod (a folder or a file; from {paths.results_from})",
                paths.results,
                required=True,
            ),
            Field("local", "Into (one folder per pod inside it)", str(results_folder(self.folder)), required=True),
        ]
        note = f"{len(rows)} pods, one after another; a pull cut earlier is resumed."

        def chosen(values: FormValues | None) -> None:
            if values:
                self._confirm_then_pull_many(rows, str(values["remote"]), destination(values))

        check = destination_check("local", [row.name for row in rows])
        form = FormScreen(f"Pull results from {len(rows)} pods", fields, "Pull", note, check=check)
        self.screen.app.push_screen(form, chosen)

    def _confirm_then_pull_many(self, rows: list[PodRow], remote: str, parent: Path) -> None:
        app = self.screen.app

        def job(row: PodRow, overwrite: bool) -> PullJob:
            destination = parent / row.name
            resume = resume_offer(destination, pull_source(row.namespace, row.name, remote)) is not None

            def pull(progress: Progress, cancel: threading.Event) -> TransferSummary:
                return self.claims.pull_results(
                    row.namespace, row.name, remote, destination, overwrite, progress, cancel, resume=resume
                )

            return PullJob(row.key, destination, pull)

        def start(overwrite: bool) -> None:
            jobs = [job(row, overwrite) for row in rows]
            app.push_screen(PullManyScreen(f"Pull {remote} from {len(rows)} pods → {parent}/<pod>", jobs))

        existing = [parent / row.name for row in rows if (parent / row.name).exists()]
        if not existing:
            start(False)
            return
        listed = "\n".join(f"  {path}" for path in existing[:10])
        more = f"\n  … and {len(existing) - 10} more" if len(existing) > 10 else ""
        held = tree_size(existing).words()
        question = (
            f"{len(existing)} of these folders already exist ({held} in all, deleted if you replace them):\n"
            f"{listed}{more}\nReplace them?"
        )
        app.push_screen(ConfirmScreen(question, "Replace"), lambda yes: start(True) if yes else None)

    # ---------------------------------------------------------------- u: copy in

    def copy_in(self, row: PodRow) -> None:
        """The form, then the pod asked where the copy lands (shown before it starts), then the copy."""
        paths = self.paths()
        fields = [
            Field("local", "Local file or folder (a dataset, code)", self.last_copy_in.get(row.key), required=True),
            Field("remote", f"To this path in the pod (from {paths.data_from})", paths.data, required=True),
            Field(
                "resume",
                "Resume a cut copy of the same files (keeps what arrived, checked by sha256)",
                "yes",
                switch=True,
            ),
        ]
        note = (
            "As docker cp: a folder goes into the path when the pod has that folder, else it becomes the path "
            "(folder data to /persistent/data gives /persistent/data, not /persistent/data/data). "
            "The final path is shown before anything is sent."
        )

        def chosen(values: FormValues | None) -> None:
            if values:
                local = Path(os.path.expanduser(str(values["local"]))).absolute()
                plan = CopyInPlanScreen(self.kube, row, local, str(values["remote"]))
                self.screen.app.push_screen(plan, lambda answer: self._copy_in(row, answer, bool(values["resume"])))

        check = local_exists("local")
        form = FormScreen(f"Copy into {row.key}", fields, "Copy", note, check=check)
        self.screen.app.push_screen(form, chosen)

    def _remember_copy_in(self, row: PodRow, local: Path) -> None:
        try:
            self.last_copy_in.set(row.key, str(local))
        except OSError as exc:  # the state folder cannot be written: only the memory is lost
            self.screen.notify(f"the local path is not remembered: {exc}", severity="warning")

    def _copy_in(self, row: PodRow, plan: CopyInPlan | None, resume: bool) -> None:
        if plan is None:
            return
        local, target = plan.local, plan.target.target
        self._remember_copy_in(row, local)
        overwrite = plan.target.replaces is not PodKind.MISSING  # asked on the plan's screen

        def copy(progress: Progress, cancel: threading.Event) -> TransferSummary:
            return self.pod_copy_in.copy_to(
                local, row.namespace, row.name, target, None, overwrite, progress, cancel, resume=resume
            )

        self.screen.app.push_screen(CopyScreen(f"Copy {local} → {row.key}:{target}", copy))

    # ---------------------------------------------------------------- U: sync code

    def sync_code(self, row: PodRow) -> None:
        """The pair last synced into this pod, else the build context and where the image keeps the code."""
        paths = self.paths()
        remembered = self._synced.get(row.key)
        local, remote = remembered or (str(paths.context), paths.code)
        where = "the last sync into this pod" if remembered else paths.code_from
        fields = [
            Field("local", "Local code folder", local, required=True),
            Field("remote", f"The same folder in the pod (from {where})", remote, required=True),
            Field("delete", "Delete files in the pod that are gone here (asks first, with the list)", switch=True),
        ]
        note = (
            f"Only files whose sha256 differs are sent. Left out: {', '.join(SKIPPED)}, "
            f"and the app's own {RESULTS_FOLDER}/ (where pulls land) and partial folders."
        )

        def chosen(values: FormValues | None) -> None:
            if not values:
                return
            local, remote = str(Path(os.path.expanduser(str(values["local"])))), str(values["remote"])
            self._synced[row.key] = (local, remote)
            results = results_folder(self.folder)
            self.screen.app.push_screen(SyncScreen(self.code_sync, row, local, remote, bool(values["delete"]), results))

        self.screen.app.push_screen(FormScreen(f"Sync code into {row.key}", fields, "Sync", note), chosen)
