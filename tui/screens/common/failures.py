"""One path for what nobody expected: a worker (a thread the UI started) that raises. The user gets words in a
notification and on the screen, the log file gets the traceback, and the screen stays usable. Workers run with
`exit_on_error=False`, so without this their failures would vanish and their screens wait forever."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from tui.diagnostic_log import log_path
from tui.services.errors import connection_problem

log = logging.getLogger(__name__)


def failure_words(what: str, error: BaseException) -> str:
    """`what` failed, and why in a user's words where the network says it, else the exception's own words."""
    reason = connection_problem(error) or (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    return f"{what} failed: {reason}"


def _what(worker: Worker[object]) -> str:
    return (worker.name or worker.group or "a background task").replace("_", " ").strip()


def report_failure(node: DOMNode, what: str, error: BaseException) -> str:
    """Logs the traceback, tells the user in words (notification and the screen's own place for it)."""
    text = failure_words(what, error)
    log.error("%s on %s", text, type(node).__name__, exc_info=(type(error), error, error.__traceback__))
    path = log_path()
    details = f"details in {path}" if path else "details in the diagnostic log"
    node.app.notify(f"{text}\n{details}", title="Unexpected error", severity="error", markup=False, timeout=15)
    target = node if isinstance(node, FailureShown) else getattr(node, "screen", None)
    if isinstance(target, FailureShown):
        target.show_failure(text)
    return text


@dataclass
class Notice(Message):
    """What a worker tells the user: shown as a notification on the UI thread and written to the log (with the
    traceback of `error` when the app's code did not expect it)."""

    text: str
    title: str = ""
    severity: SeverityLevel = "information"
    error: BaseException | None = None
    timeout: float | None = None


class WorkerFailures:
    """Mixed into the app, screens and widgets that start workers: a worker's unexpected error is reported once,
    here, instead of by each worker; what a worker says (a Notice) is shown and logged here too."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None and isinstance(self, DOMNode):
            report_failure(self, _what(event.worker), error)

    def on_notice(self, notice: Notice) -> None:
        notice.stop()  # once, by the node nearest the worker
        if not isinstance(self, DOMNode):
            return
        level = logging.INFO if notice.severity == "information" else logging.WARNING
        error = notice.error
        cause = error if error is not None and needs_traceback(error) else None
        log.log(level, "%s%s", f"{notice.title}: " if notice.title else "", notice.text, exc_info=cause)
        self.app.notify(notice.text, title=notice.title, severity=notice.severity, markup=False, timeout=notice.timeout)


@runtime_checkable
class FailureShown(Protocol):
    """A screen with a place to say what failed (its failure line, or a progress screen's status)."""

    def show_failure(self, text: str) -> None: ...


def expected(error: BaseException) -> bool:
    """Raised by the app's own code, so its message is already meant for the user; anything else escaped
    translation into words."""
    return type(error).__module__.startswith("tui.")


def needs_traceback(error: BaseException) -> bool:
    """Neither the app's own error nor a server's or network's answer: something in the code went wrong."""
    module = type(error).__module__
    return not (module.startswith(("tui.", "kubernetes.", "docker.")) or connection_problem(error))
