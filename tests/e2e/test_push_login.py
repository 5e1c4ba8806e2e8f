"""Registry login from the Push screen: a push the registry refuses as unauthorized opens a login form, the engine
checks the user and password with the registry, they are stored as `docker login` stores them (config.json's
`auths`, or the credential helper in charge) and the push goes on. A push that does not happen leaves no tag it made.
The real app against the stack's registry with a password (auth-registry) and the real dockerd."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.widgets import Input, Label, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.credential_store import FakeCredentialStore
from tests.support.docker_config import basic, write_config
from tests.support.images import busybox_context
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.models.images.image import ImageRef
from tui.screens.images.layer_progress import LayerProgressScreen
from tui.screens.images.push import PushScreen
from tui.screens.images.registry_login import RegistryLoginScreen
from tui.services.images.registry_auth import RegistryAuth, registry_has_tag

OTHER_KEYS = {
    "auths": {"registry.example.com": {"auth": basic("someone", "theirs")}},
    "psFormat": "table {{.ID}}\t{{.Names}}",
    "proxies": {"default": {"noProxy": "127.0.0.1"}},
}


@pytest.fixture
def local_image(engine: docker.DockerClient) -> Iterator[str]:
    """A local image tagged k8sx-login/app-XXXX:1 (the push's source); every tag of it is removed afterwards."""
    image, _ = engine.images.build(fileobj=busybox_context(f"LABEL run={uuid.uuid4().hex}\n"), custom_context=True)
    source = f"k8sx-login/app-{uuid.uuid4().hex[:6]}:1"
    image.tag(*source.split(":"))
    yield source
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(image.id, force=True)


def has_local(engine: docker.DockerClient, reference: str) -> bool:
    try:
        engine.images.get(reference)
    except docker.errors.ImageNotFound:
        return False
    return True


def login_text(app: K8sxApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)


async def push_until_login(pilot: object, app: K8sxApp, source: str, destination: str) -> RegistryLoginScreen:
    await pilot.press("5")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the Push screen")  # type: ignore[arg-type]
    app.screen.query_one("#push-source", Input).value = source
    app.screen.query_one("#push-destination", Input).value = destination
    app.screen.query_one("#push-tag", Input).value = "1"
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, RegistryLoginScreen), timeout=60, what="the login form")  # type: ignore[arg-type]
    assert isinstance(app.screen, RegistryLoginScreen)
    return app.screen


async def log_in(pilot: object, app: K8sxApp, user: str, password: str) -> None:
    app.screen.query_one("#login-user", Input).value = user
    app.screen.query_one("#login-password", Input).value = password
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]


async def pushed_after_login(pilot: object, app: K8sxApp, destination: str) -> None:
    finished = lambda: isinstance(app.screen, LayerProgressScreen) and app.screen.finished  # noqa: E731
    await settle(pilot, finished, timeout=60, what="the push after the login")  # type: ignore[arg-type]
    status = str(app.screen.query_one("#layers-status", Static).content)
    assert status.startswith("done · sha256:"), status
    await pilot.press("escape")  # type: ignore[attr-defined]
    last = lambda: str(app.screen.query_one("#push-last", Static).content)  # noqa: E731
    await settle(pilot, lambda: f"last pushed: {destination}:1@sha256:" in last(), what="the push remembered")  # type: ignore[arg-type]


async def test_an_unauthorized_push_asks_to_log_in_refuses_a_wrong_password_then_stores_the_login_and_pushes(
    stack: StackEnv, engine: docker.DockerClient, local_image: str, isolated_docker_config: Path
) -> None:
    config_file = write_config(isolated_docker_config, OTHER_KEYS) / "config.json"
    before = config_file.read_bytes()
    destination = f"{stack.auth_registry}/k8sx-login/app-{uuid.uuid4().hex[:6]}"
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await push_until_login(pilot, app, local_image, destination)
        why = login_text(app, "#login-why")
        assert why.startswith(f"unauthorized: no credentials for {stack.auth_registry}"), why
        assert form.query_one("#login-password", Input).password  # typed hidden
        assert not has_local(engine, f"{destination}:1")  # the failed push took its tag away again

        assert form.query_one("#login-user", Input).has_focus
        await pilot.press(*stack.auth_registry_user, "enter", *"wrong-password", "enter")  # typed, as a user would
        refused = lambda: "did not accept" in login_text(app, "#login-problem")  # noqa: E731
        await settle(pilot, refused, timeout=30, what="the wrong password refused")
        problem = login_text(app, "#login-problem")
        assert problem.startswith(f"{stack.auth_registry} did not accept this user and password"), problem
        assert problem.endswith("; nothing was stored")
        assert app.screen is form and form.query_one("#login-password", Input).value == ""  # the form again
        assert config_file.read_bytes() == before

        await pilot.press(*stack.auth_registry_password, "enter")  # the user is still there; the password again
        await pushed_after_login(pilot, app, destination)

    config = json.loads(config_file.read_text())
    login = {"auth": basic(stack.auth_registry_user, stack.auth_registry_password)}
    assert config["auths"] == {**OTHER_KEYS["auths"], stack.auth_registry: login}  # type: ignore[dict-item]
    assert {key: config[key] for key in ("psFormat", "proxies")} == {k: OTHER_KEYS[k] for k in ("psFormat", "proxies")}
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert [entry.name for entry in isolated_docker_config.iterdir()] == ["config.json"]  # no temporary file left
    auth = RegistryAuth(stack.auth_registry, stack.auth_registry_user, stack.auth_registry_password)
    assert registry_has_tag(ImageRef.parse(f"{destination}:1"), auth) is True


async def test_a_login_goes_to_the_credential_store_and_config_json_only_names_the_registry(
    stack: StackEnv, engine: docker.DockerClient, local_image: str, isolated_docker_config: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    store = FakeCredentialStore(tmp_path / "bin", "k8sxfake")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    config_file = write_config(isolated_docker_config, {**OTHER_KEYS, "credsStore": "k8sxfake"}) / "config.json"
    destination = f"{stack.auth_registry}/k8sx-login/stored-{uuid.uuid4().hex[:6]}"
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await push_until_login(pilot, app, local_image, destination)
        await log_in(pilot, app, stack.auth_registry_user, stack.auth_registry_password)
        await pushed_after_login(pilot, app, destination)

    stored = {"ServerURL": stack.auth_registry, "Username": stack.auth_registry_user}
    stored["Secret"] = stack.auth_registry_password
    calls = store.calls()
    assert {"action": "store", "stdin": json.dumps(stored)} in calls
    assert calls[-1] == {"action": "get", "stdin": stack.auth_registry}  # the retried push read it back from there
    config = json.loads(config_file.read_text())
    assert config["auths"] == {**OTHER_KEYS["auths"], stack.auth_registry: {}}  # type: ignore[dict-item]
    assert config["credsStore"] == "k8sxfake" and config["psFormat"] == OTHER_KEYS["psFormat"]
    assert base64.b64encode(stack.auth_registry_password.encode()).decode() not in config_file.read_text()
    assert stack.auth_registry_password not in config_file.read_text()


@pytest.mark.parametrize(
    ("tagged_before", "wrong_login", "why"),
    [
        (False, False, "unauthorized: no credentials for {registry}"),
        (True, False, "unauthorized: no credentials for {registry}"),
        (False, True, "unauthorized: {registry} did not accept the credentials"),
    ],
    ids=["new tag", "tag there before", "wrong password in config.json"],
)
async def test_cancelling_the_login_says_not_pushed_and_leaves_only_the_tags_there_before(
    stack: StackEnv, engine: docker.DockerClient, local_image: str, isolated_docker_config: Path,
    tagged_before: bool, wrong_login: bool, why: str,
) -> None:  # fmt: skip
    destination = f"{stack.auth_registry}/k8sx-login/cancel-{uuid.uuid4().hex[:6]}"
    if tagged_before:
        engine.images.get(local_image).tag(destination, "1")
    if wrong_login:
        write_config(isolated_docker_config, {"auths": {stack.auth_registry: {"auth": basic("k8sx", "nope")}}})
    before = (isolated_docker_config / "config.json").read_bytes()
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await push_until_login(pilot, app, local_image, destination)
        assert login_text(app, "#login-why").startswith(why.format(registry=stack.auth_registry))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="back on Push")
        problem = str(app.screen.query_one("#push-problem", Static).content)
        assert problem.startswith("not pushed: " + why.format(registry=stack.auth_registry)), problem
        assert "last pushed" not in str(app.screen.query_one("#push-last", Static).content)
    assert has_local(engine, f"{destination}:1") is tagged_before
    assert has_local(engine, local_image)
    assert (isolated_docker_config / "config.json").read_bytes() == before
