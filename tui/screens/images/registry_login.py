"""`docker login` in the app: a user and a password or access token (typed hidden), checked with the registry by
the engine before anything is stored; a refusal is said in the form, which stays open for another try."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from tui.screens.common.failures import WorkerFailures
from tui.services.docker.engine import DockerService
from tui.services.docker.engine_stream import ImageError
from tui.services.images.images import ImageService


@dataclass
class LoginAnswered(Message):
    """The registry's answer: `problem` in words, or where the login was stored."""

    problem: str | None
    stored_in: str = ""


class RegistryLoginScreen(WorkerFailures, ModalScreen[bool]):
    """Dismissed with True once the login is checked and stored, False when cancelled."""

    AUTO_FOCUS = "#login-user"
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel", id="login.cancel"),
        Binding("ctrl+s", "submit", "Log in", id="login.ok"),
    ]
    DEFAULT_CSS = """
    RegistryLoginScreen { align: center middle; }
    RegistryLoginScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    RegistryLoginScreen Label { width: 100%; }  /* wrapped, not cut at the form's edge */
    RegistryLoginScreen .login-title { text-style: bold; margin-bottom: 1; }
    RegistryLoginScreen .login-label { margin-top: 1; color: $text-muted; }
    RegistryLoginScreen #login-problem { color: $text-error; margin-top: 1; }
    RegistryLoginScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    RegistryLoginScreen Button { margin-left: 2; }
    """

    def __init__(self, docker: DockerService, registry: str, why: str) -> None:
        super().__init__()
        self.docker = docker
        self.registry = registry
        self.why = why
        self.checking = False

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(f"Log in to {self.registry}", classes="login-title", markup=False)
            yield Label(self.why, id="login-why", markup=False)
            yield Label("User", classes="login-label")
            yield Input(id="login-user")
            yield Label("Password or access token", classes="login-label")
            yield Input(id="login-password", password=True)
            yield Label("", id="login-problem", markup=False)
            with Horizontal():
                yield Button("Cancel", id="login-cancel")
                yield Button("Log in (ctrl+s)", id="login-ok", variant="primary")

    def say(self, text: str) -> None:
        self.query_one("#login-problem", Label).update(text)

    def show_failure(self, text: str) -> None:
        """Where an unexpected failure of the login worker is said (WorkerFailures)."""
        self.checking = False
        self.say(text)

    @on(Input.Submitted, "#login-user")
    def user_given(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-ok")
    def action_submit(self) -> None:
        if self.checking:
            return
        user = self.query_one("#login-user", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        missing = [name for name, value in (("user", user), ("password or token", password)) if not value]
        if missing:
            self.say(f"needed: {', '.join(missing)}")
            return
        self.checking = True
        self.say(f"checking with {self.registry}…")
        self.log_in(user, password)

    @on(Button.Pressed, "#login-cancel")
    def cancel(self) -> None:
        self.dismiss(False)

    @work(thread=True, exclusive=True, group="registry-login", exit_on_error=False)
    def log_in(self, user: str, password: str) -> None:
        try:
            stored_in = ImageService(self.docker.client()).log_in(self.registry, user, password)
        except ImageError as exc:
            self.post_message(LoginAnswered(str(exc)))
        except Exception as exc:
            reason = self.docker.reason(exc)  # the engine's address or connection, in words
            if reason is None:
                raise  # unexpected: WorkerFailures logs it and says it in the form
            self.post_message(LoginAnswered(reason))
        else:
            self.post_message(LoginAnswered(None, stored_in))

    def on_login_answered(self, answer: LoginAnswered) -> None:
        self.checking = False
        if answer.problem is not None:
            self.say(f"{answer.problem}; nothing was stored")
            password = self.query_one("#login-password", Input)
            password.value = ""
            password.focus()
            return
        self.notify(f"logged in to {self.registry} (stored in {answer.stored_in})", title="Login", markup=False)
        self.dismiss(True)
