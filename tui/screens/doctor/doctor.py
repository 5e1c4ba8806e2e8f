"""Doctor: the setup checks of `k8sx-tui doctor` as a screen; each line appears as its check finishes, and the fixes
that are safe to run (gcloud's configure-docker, get-credentials, the GKE auth plugin) run in a terminal tab after
a confirm. Coming back from that tab runs the checks again."""

from __future__ import annotations

import logging
import shlex
import shutil
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.diagnostic_log import log_path
from tui.messages import OpenLocalCommand
from tui.models.doctor.checks import (
    CheckState,
    DoctorCheck,
    DoctorSummary,
    FixCommand,
    gke_context_values,
    registry_host,
)
from tui.models.images.image import ImageRef
from tui.screens.common.base import AppScreen
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.services.docker.engine import DockerService
from tui.services.doctor.doctor import Doctor
from tui.services.images.last_pushed import LastPushed
from tui.services.kube.kube import KubeService

log = logging.getLogger(__name__)

STATE_STYLES = {
    CheckState.OK: "bold $text-success",
    CheckState.WARNING: "bold $text-warning",
    CheckState.FAILED: "bold $text-error",
}
INDENT = " " * 19  # under the detail, as in the CLI's report


@dataclass
class CheckFinished(Message):
    run: int
    check: DoctorCheck


@dataclass
class ChecksDone(Message):
    run: int
    error: str = ""


def check_line(check: DoctorCheck) -> Content:
    """One check as the list shows it: state, area, name and reason; under a problem the fix, and whether the app
    can run it."""
    parts: list[Content | tuple[str, str] | str] = [
        (f"{check.state.value:<8}", STATE_STYLES[check.state]),
        f"{check.area:<11}",
        (check.name, "bold"),
        f": {check.detail}",
    ]
    if check.fix and check.is_problem:
        parts += [f"\n{INDENT}fix: ", (check.fix, "$text-accent" if check.command else "")]
        parts.append(("  (enter/x: run it)" if check.command else "  (run this yourself)", "$text-muted"))
    return Content.assemble(*parts)


def default_registry(last_pushed: LastPushed) -> str:
    """The registry of the last pushed image: the one the next push will most likely need."""
    reference = last_pushed.get()
    if not reference:
        return ""
    try:
        return ImageRef.parse(reference).registry
    except ValueError:
        return ""


class DoctorScreen(AppScreen):
    BINDINGS = [
        Binding("r", "rerun", "Re-run checks", id="doctor.rerun"),
        Binding("x", "run_fix", "Run fix", id="doctor.run-fix"),
        Binding("e", "edit_registry", "Registry", id="doctor.registry"),
        Binding("escape", "focus_checks", "Back to the checks", show=False, id="doctor.focus-checks"),
    ]
    DEFAULT_CSS = """
    DoctorScreen #doctor-summary { height: 1; padding: 0 1; text-style: bold; }
    DoctorScreen #doctor-summary.-running { color: $text-warning; }
    DoctorScreen #doctor-summary.-failed { color: $text-error; }
    DoctorScreen #doctor-summary.-ok { color: $text-success; }
    DoctorScreen #doctor-registry-row { height: auto; padding: 0 1; }
    DoctorScreen #doctor-registry-row Label { padding: 1 1 0 0; color: $text-muted; }
    DoctorScreen #doctor-registry { width: 1fr; }
    DoctorScreen #doctor-checks { height: 1fr; border: none; }
    DoctorScreen #doctor-hint, DoctorScreen #doctor-log { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, kube: KubeService, docker: DockerService, last_pushed: LastPushed | None = None) -> None:
        super().__init__("doctor")
        self.kube = kube
        self.docker = docker
        self.title = "Doctor"
        self.last_pushed = last_pushed or LastPushed()
        self.checks: list[DoctorCheck] = []
        self.running = False
        self._run = 0
        self._started = False
        self._left_mode = False
        self._reselect: tuple[str, str] | None = None
        self._stopped = ""  # why the last run stopped before its end, if it did

    def compose_body(self) -> ComposeResult:
        yield Static("", id="doctor-summary", markup=False)
        with Horizontal(id="doctor-registry-row"):
            yield Label("Registry to check (e)")
            yield Input(
                default_registry(self.last_pushed),
                placeholder="registry host, e.g. REGION-docker.pkg.dev (empty: no registry check)",
                id="doctor-registry",
            )
        yield OptionList(id="doctor-checks")
        yield Static(
            "enter or x on a problem runs its fix when the app can (you confirm the command first) · r re-runs",
            id="doctor-hint",
            markup=False,
        )
        path = log_path()
        yield Static(
            f"diagnostic log (attach it to a bug report): {path}" if path else "diagnostic log: not written",
            id="doctor-log",
            markup=False,
        )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    # ---------------------------------------------------------------- running the checks

    def on_screen_suspend(self) -> None:
        # A dialog of this screen keeps the mode; going to another screen (a fix's terminal tab) changes it.
        self._left_mode = self.app.current_mode != self.mode

    def on_screen_resume(self) -> None:
        """First shown, or back from another screen (a fix's terminal tab): check (again)."""
        if not self._started or self._left_mode:
            self._started, self._left_mode = True, False
            self.start_checks()

    def action_rerun(self) -> None:
        self.start_checks()

    @on(Input.Submitted, "#doctor-registry")
    def registry_entered(self) -> None:
        self.query_one(OptionList).focus()
        self.start_checks()

    def action_edit_registry(self) -> None:
        self.query_one("#doctor-registry", Input).focus()

    def action_focus_checks(self) -> None:
        self.query_one(OptionList).focus()

    def start_checks(self) -> None:
        options = self.query_one(OptionList)
        current = self.highlighted_check()
        self._reselect = (current.area, current.name) if current else None
        self._run += 1
        self.checks = []
        self._stopped = ""
        options.clear_options()
        self.running = True
        self.show_summary()
        self.run_checks(self._run, registry_host(self.query_one("#doctor-registry", Input).value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="doctor")
    def run_checks(self, run: int, registry: str) -> None:
        """Each check posts its line when it finishes; each has its own timeout, so a dead server costs seconds."""
        worker = get_current_worker()
        error = ""
        try:
            for check in Doctor(self.kube, self.docker, registry or None).checks():
                if worker.is_cancelled:
                    return
                self.post_message(CheckFinished(run, check))
        except Exception as exc:  # a check that breaks must not take the screen with it
            log.warning("the doctor's checks stopped", exc_info=exc)
            error = f"{type(exc).__name__}: {exc}"
        self.post_message(ChecksDone(run, error))

    def on_check_finished(self, message: CheckFinished) -> None:
        if message.run != self._run:
            return  # a run that was replaced by a newer one
        self.checks.append(message.check)
        options = self.query_one(OptionList)
        options.add_option(Option(check_line(message.check)))
        if self._reselect == (message.check.area, message.check.name) or options.highlighted is None:
            options.highlighted = len(self.checks) - 1
        self.show_summary()

    def on_checks_done(self, message: ChecksDone) -> None:
        if message.run != self._run:
            return
        self.running = False
        self._stopped = message.error
        if message.error:
            self.notify(f"the checks stopped: {message.error}", title="Doctor", severity="error", timeout=10)
        self.show_summary()

    def show_summary(self) -> None:
        summary = DoctorSummary.of(self.checks, self._stopped)
        header = self.query_one("#doctor-summary", Static)
        header.set_class(self.running, "-running")
        header.set_class(not self.running and summary.is_failed, "-failed")
        header.set_class(not self.running and not summary.is_failed, "-ok")
        if self.running:
            header.update(f"checking … {summary.checks} done so far")
        else:
            header.update(summary.text)

    # ---------------------------------------------------------------- fixes

    def highlighted_check(self) -> DoctorCheck | None:
        index = self.query_one(OptionList).highlighted
        return self.checks[index] if index is not None and index < len(self.checks) else None

    @on(OptionList.OptionSelected, "#doctor-checks")
    def line_chosen(self) -> None:
        self.action_run_fix()

    def action_run_fix(self) -> None:
        check = self.highlighted_check()
        if check is None:
            self.notify("no check chosen yet", title="Doctor", severity="warning")
        elif not check.is_problem:
            self.notify(f"{check.name} is ok: nothing to fix", title="Doctor")
        elif check.command is None:
            text = f"run this yourself: {check.fix}" if check.fix else "no fix known for this one"
            self.notify(text, title="Doctor", severity="warning", timeout=10)
        elif shutil.which(check.command.argv[0]) is None:
            program = check.command.argv[0]
            needed = "the Google Cloud CLI" if program == "gcloud" else program
            text = f"{program} is not on PATH: install {needed} first, then run: {check.fix}"
            self.notify(text, title="Doctor", severity="warning", timeout=10)
        elif check.command.inputs:
            self.ask_values(check.command, gke_context_values(self.kube.context))
        else:
            self.confirm(list(check.command.argv))

    def ask_values(self, command: FixCommand, defaults: dict[str, str], problem: str = "") -> None:
        fields = [Field(name, name.lower(), default=defaults.get(name, ""), required=True) for name in command.inputs]

        def typed(values: FormValues | None) -> None:
            if values is None:
                return
            texts = {name: str(value) for name, value in values.items()}
            try:
                argv = command.filled(texts)
            except ValueError as exc:
                self.ask_values(command, texts, str(exc))
                return
            self.confirm(argv)

        note = f"{command.text}\n{problem}" if problem else command.text
        self.app.push_screen(FormScreen("Values for the fix", fields, ok_label="Next", note=note), typed)

    def confirm(self, argv: list[str]) -> None:
        command = shlex.join(argv)
        question = f"Run this in a terminal tab?\n\n  {command}\n\nThe checks run again when you come back here."

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(OpenLocalCommand(argv, "doctor fix"))

        self.app.push_screen(ConfirmScreen(question, "Run"), answered)
