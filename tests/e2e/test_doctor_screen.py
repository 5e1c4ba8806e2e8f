"""The Doctor screen (7) in the real app against the real stack: all green when set up, each broken step shown with
its fix, a dead API server that never hangs the screen, and a safe fix run in a terminal tab, then checked again.

`gcloud` here is a test double (a small script first on PATH) that records its arguments in a marker file: the
app runs it exactly as it would run Google's, in a terminal tab after the user confirms the command."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from textual.widgets import Input, OptionList, Static

from tests.e2e.test_doctor import reader_kubeconfig
from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.docker_config import write_config, write_credential_helper
from tests.support.stack import StackEnv, kubeconfig_with_server
from tui.app import K8sxApp
from tui.models.doctor.checks import CheckState, DoctorCheck
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.doctor.doctor import DoctorScreen
from tui.screens.terminal.terminal import TerminalScreen

FAKE_GCLOUD = """#!/bin/sh
# A stand-in for gcloud: asks before configure-docker as the real one does, records what it was asked to do.
if [ "$1" = auth ]; then printf 'Do you want to continue (Y/n)?  '; read answer; fi
printf '%s|%s\\n' "$*" "$answer" >> "{marker}"
{then}
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A docker config folder and a state folder (the last pushed image) of the test's own."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path


def fake_gcloud(bin_dir: Path, then: str = "") -> Path:
    """`gcloud` in bin_dir; returns the marker file it writes each call's arguments (and typed answer) to."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    marker = bin_dir / "gcloud.calls"
    script = bin_dir / "gcloud"
    script.write_text(FAKE_GCLOUD.format(marker=marker, then=then))
    script.chmod(0o755)
    return marker


def remember_push(home: Path, reference: str) -> None:
    state = home / "state" / "k8sx-tui"
    state.mkdir(parents=True, exist_ok=True)
    (state / "last-pushed.json").write_text(json.dumps({"reference": reference}))


def doctor(app: K8sxApp) -> DoctorScreen:
    stacks = app._screen_stacks.values()
    return next(screen for stack in stacks for screen in stack if isinstance(screen, DoctorScreen))


def shown(app: K8sxApp) -> list[str]:
    """The check list as drawn: one entry per check, its fix line included."""
    options = doctor(app).query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def line(app: K8sxApp, start: str) -> str:
    return next((text for text in shown(app) if text.startswith(start)), "")


def summary(app: K8sxApp) -> str:
    return str(doctor(app).query_one("#doctor-summary", Static).content)


async def open_doctor(pilot: object, app: K8sxApp) -> DoctorScreen:
    await pilot.press("7")  # type: ignore[attr-defined]
    await until_done(pilot, app)
    return doctor(app)


async def until_done(pilot: object, app: K8sxApp, after_run: int = 0) -> None:
    def done() -> bool:
        screen = next((s for st in app._screen_stacks.values() for s in st if isinstance(s, DoctorScreen)), None)
        return screen is not None and screen._run > after_run and not screen.running and bool(screen.checks)

    await settle(pilot, done, timeout=90, what="the doctor's checks to finish")  # type: ignore[arg-type]


def check(app: K8sxApp, name: str) -> DoctorCheck:
    return next(c for c in doctor(app).checks if c.name == name)


async def select(pilot: object, app: K8sxApp, name: str) -> None:
    screen = doctor(app)
    screen.query_one(OptionList).highlighted = screen.checks.index(check(app, name))
    await pilot.pause()  # type: ignore[attr-defined]


async def test_the_local_stack_is_all_green_with_the_last_pushed_registry(
    stack: StackEnv, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gcloud(home / "bin")
    monkeypatch.setenv("PATH", f"{home / 'bin'}:{os.environ['PATH']}")
    remember_push(home, f"{stack.registry}/exp/train:0.3")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot, app)
        assert app.screen.title == "Doctor"
        assert screen.query_one("#doctor-registry", Input).value == stack.registry
        assert [c.state for c in screen.checks] == [CheckState.OK] * len(screen.checks), shown(app)
        assert summary(app) == f"all is well: {len(screen.checks)} checks ok"
        assert line(app, "ok      docker     engine: Docker 20.10")
        assert line(app, f"ok      registry   login to {stack.registry}: GET /v2/ accepted")
        assert line(app, "ok      kubernetes API server: v1.36.3, context k8sx-local")
        assert line(app, "ok      kubernetes access in default: pods, exec, logs and volumes allowed")
        assert not any("fix:" in text for text in shown(app))
        await pilot.press("x")  # nothing to fix on an ok line
        await pilot.pause()
        assert isinstance(app.screen, DoctorScreen)


async def test_no_docker_socket_and_a_closed_api_port_are_shown_with_their_fixes(stack: StackEnv, home: Path) -> None:
    closed = kubeconfig_with_server(stack, home, "https://127.0.0.1:1")
    app = make_app(closed, f"unix://{home}/none.sock")
    async with app.run_test(size=SIZE) as pilot:
        await open_doctor(pilot, app)
        engine = line(app, "failed  docker     engine:")
        assert f"cannot connect to the Docker engine at unix://{home}/none.sock: no such socket" in engine
        assert "fix: start Docker" in engine and "(run this yourself)" in engine
        api = line(app, "failed  kubernetes API server:")
        assert "cannot reach https://127.0.0.1:1: connection refused" in api
        assert "fix: check the context (kubectl config get-contexts)" in api
        assert summary(app).startswith("2 problems")
        # A fix the app does not run is text only: no dialog, the way to do it in a notification.
        await select(pilot, app, "engine")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, DoctorScreen)
        assert any("run this yourself: start Docker" in n.message for n in app._notifications)


async def test_a_silent_api_server_times_out_while_the_screen_keeps_answering(stack: StackEnv, home: Path) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers a byte
    try:
        kubeconfig = kubeconfig_with_server(stack, home, f"https://127.0.0.1:{silent.getsockname()[1]}")
        app = make_app(kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("7")
            await settle(pilot, lambda: bool(line(app, "ok      kubernetes kubeconfig")), what="the first lines")
            screen = doctor(app)
            assert screen.running and not line(app, "failed  kubernetes API server")
            # Meanwhile the screen answers keys: the registry field takes typing, r restarts the run.
            await pilot.press("e", *"127.0.0.1:5999")
            assert screen.query_one("#doctor-registry", Input).value == "127.0.0.1:5999"
            assert screen.running
            await pilot.press("escape", "r")
            await until_done(pilot, app, after_run=1)
            assert "cannot reach https://127.0.0.1:" in line(app, "failed  kubernetes API server")
            assert "timed out" in line(app, "failed  kubernetes API server")
            assert "cannot reach 127.0.0.1:5999" in line(app, "failed  registry   login to 127.0.0.1:5999")
    finally:
        silent.close()


async def test_the_auth_registry_without_credentials_fails_with_docker_login(stack: StackEnv, home: Path) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot, app)
        assert screen.query_one("#doctor-registry", Input).value == ""  # nothing pushed yet: no registry check
        assert not any(c.area == "registry" for c in screen.checks)
        await pilot.press("e", *f"http://{stack.auth_registry}/v2/", "enter")  # a pasted URL: its host is checked
        await until_done(pilot, app, after_run=1)
        credentials = line(app, f"warning registry   credentials for {stack.auth_registry}")
        assert f"none in {home}/docker-config/config.json" in credentials
        login = line(app, f"failed  registry   login to {stack.auth_registry}: GET /v2/ answered 401")
        assert f"fix: docker login {stack.auth_registry}  (run this yourself)" in login


async def test_a_missing_gcloud_helper_is_fixed_from_the_screen_and_checked_again(
    stack: StackEnv, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = stack.auth_registry
    write_config(home / "docker-config", {"credHelpers": {registry: "gcloud"}})
    # What configure-docker leaves behind here: a working docker-credential-gcloud (knowing the registry's login).
    write_credential_helper(
        home / "staged", "gcloud", {registry: (stack.auth_registry_user, stack.auth_registry_password)}
    )
    bin_dir = home / "bin"
    marker = fake_gcloud(bin_dir, then=f"/bin/cp {home / 'staged' / 'docker-credential-gcloud'} {bin_dir}/")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/sbin:/sbin")  # no docker-credential-gcloud of the machine's
    remember_push(home, f"{registry}/exp/train:0.1")
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot, app)
        problem = line(app, f"failed  registry   credentials for {registry}")
        assert "docker-credential-gcloud not found on PATH" in problem
        assert f"fix: gcloud auth configure-docker {registry}  (enter/x: run it)" in problem

        await select(pilot, app, f"credentials for {registry}")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        question = str(app.screen.query_one("#question", Static).content)
        assert f"gcloud auth configure-docker {registry}" in question
        assert not marker.exists()  # nothing runs before the user says yes
        await pilot.click("#confirm")

        await settle(pilot, lambda: app.current_mode == "terminal", what="the Terminal screen")
        terminal = app.screen
        assert isinstance(terminal, TerminalScreen)
        tab = next(iter(terminal.tabs.values()))
        await settle(pilot, lambda: "continue (Y/n)?" in "\n".join(tab.emulator.display()), what="gcloud's question")
        await pilot.press("y", "enter")  # typed into the terminal tab, as the user would
        # The tab stays after gcloud exits, so its output can be read.
        await settle(pilot, lambda: marker.exists() and tab.end is not None, what="gcloud done")
        assert tab.end is not None and tab.end.clean
        assert marker.read_text() == f"auth configure-docker {registry}|y\n"

        runs = screen._run
        await pilot.press("7")
        await until_done(pilot, app, after_run=runs)
        assert line(app, f"ok      registry   credentials for {registry}: from credHelpers: docker-credential-gcloud")
        assert line(app, f"ok      registry   login to {registry}: GET /v2/ accepted")


async def test_get_credentials_asks_for_cluster_region_and_project_then_runs(
    stack: StackEnv, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = fake_gcloud(home / "bin")
    monkeypatch.setenv("PATH", f"{home / 'bin'}:/usr/sbin:/sbin")
    app = make_app(str(home / "no-kubeconfig"), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_doctor(pilot, app)
        assert "(enter/x: run it)" in line(app, "failed  kubernetes kubeconfig: none at")
        await select(pilot, app, "kubeconfig")
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the values form")
        await pilot.press(*"--exp", "tab", *"europe-west2", "tab", *"my-proj", "enter")
        # An option-like value is refused and asked again, the typed values kept.
        await settle(pilot, lambda: isinstance(app.screen, FormScreen) and "not a plain" in app.screen.note)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.values() == {"CLUSTER": "--exp", "REGION": "europe-west2", "PROJECT": "my-proj"}
        await pilot.press("ctrl+u", *"exp", "enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        command = "gcloud container clusters get-credentials exp --region europe-west2 --project my-proj"
        assert command in str(app.screen.query_one("#question", Static).content)
        await pilot.click("#confirm")
        await settle(pilot, lambda: marker.exists(), what="gcloud run")
        assert marker.read_text() == "container clusters get-credentials exp --region europe-west2 --project my-proj|\n"


async def test_a_missing_credential_plugin_is_installed_with_gcloud_after_a_confirm(
    stack: StackEnv, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = fake_gcloud(home / "bin")
    monkeypatch.setenv("PATH", f"{home / 'bin'}:/usr/sbin:/sbin")  # no gke-gcloud-auth-plugin
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    exec_user = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin"}
    config["users"] = [{"name": "gke", "user": {"exec": exec_user}}]
    config["contexts"][0]["context"]["user"] = "gke"
    plugin = home / "gke.kubeconfig"
    plugin.write_text(yaml.safe_dump(config))
    app = make_app(str(plugin), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_doctor(pilot, app)
        missing = line(app, "failed  kubernetes credential plugin: gke-gcloud-auth-plugin not on PATH")
        assert "fix: gcloud components install gke-gcloud-auth-plugin  (enter/x: run it)" in missing
        await select(pilot, app, "credential plugin")
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        runs = doctor(app)._run
        assert await answer_dialog(pilot, app, "escape") is False  # cancelled: nothing runs, no checks again
        assert isinstance(app.screen, DoctorScreen) and not marker.exists() and doctor(app)._run == runs
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog again")
        await pilot.click("#confirm")
        await settle(pilot, lambda: marker.exists(), what="gcloud run")
        assert marker.read_text() == "components install gke-gcloud-auth-plugin|\n"


async def test_a_fix_whose_program_is_missing_says_to_install_it_first(
    stack: StackEnv, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/sbin:/sbin")  # no gcloud
    app = make_app(str(home / "no-kubeconfig"), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_doctor(pilot, app)
        await select(pilot, app, "kubeconfig")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, DoctorScreen)  # no form, no dialog: it could not run
        said = [n.message for n in app._notifications]
        assert any(m.startswith("gcloud is not on PATH: install the Google Cloud CLI first") for m in said), said


async def test_a_service_account_without_exec_is_told_what_it_may_not_do(
    stack: StackEnv, home: Path, namespace: str
) -> None:
    reader = reader_kubeconfig(stack, namespace, home / "reader.kubeconfig")
    app = make_app(str(reader), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await open_doctor(pilot, app)
        access = line(app, f"failed  kubernetes access in {namespace}: not allowed: create pods (deploying)")
        assert "create pods/exec (shells and copies)" in access and "list pods" not in access
        assert "fix: ask your cluster admin for a Role" in access
