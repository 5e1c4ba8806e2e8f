"""A registry login stored as `docker login` stores it: the credential helper in charge, else config.json's auths;
every other key of config.json kept, the file replaced whole and readable by its owner only."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.support.credential_store import FakeCredentialStore
from tests.support.docker_config import basic, write_config
from tui.services.images.registry_auth import CredentialsError, DockerCredentials, RegistryAuth
from tui.services.images.registry_login import store_login

HOST = "127.0.0.1:5001"
OTHERS = {"auths": {"other.example": {"auth": basic("a", "b")}}, "psFormat": "{{.ID}}", "plugins": {"x": {"y": "z"}}}


@pytest.fixture
def helpers_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_without_a_helper_auths_gets_base64_user_password_and_every_other_key_stays(tmp_path: Path) -> None:
    config = write_config(tmp_path / "docker", {**OTHERS, "auths": {**OTHERS["auths"], HOST: {"auth": "old"}}})
    path = config / "config.json"

    where = store_login(path, RegistryAuth(HOST, "k8sx", "s3cret"))

    assert where == str(path)
    assert json.loads(path.read_text()) == {
        **OTHERS,
        "auths": {**OTHERS["auths"], HOST: {"auth": basic("k8sx", "s3cret")}},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in config.iterdir()) == ["config.json"]
    assert DockerCredentials(config).lookup(HOST) == RegistryAuth(HOST, "k8sx", "s3cret")  # read back as the CLI


def test_a_missing_config_folder_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.json"
    store_login(path, RegistryAuth(HOST, "k8sx", "s3cret"))
    assert json.loads(path.read_text()) == {"auths": {HOST: {"auth": basic("k8sx", "s3cret")}}}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_identity_token_is_kept_instead_of_the_password(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    store_login(path, RegistryAuth(HOST, "k8sx", "s3cret", identity_token="refresh-me"))
    assert json.loads(path.read_text())["auths"][HOST] == {"auth": basic("k8sx", ""), "identitytoken": "refresh-me"}


def test_the_helper_for_the_host_gets_it_and_config_json_only_names_the_registry(
    tmp_path: Path, helpers_on_path: Path
) -> None:
    host_store = FakeCredentialStore(helpers_on_path, "forhost")
    general = FakeCredentialStore(helpers_on_path, "general")
    path = write_config(tmp_path / "docker", {**OTHERS, "credsStore": "general", "credHelpers": {HOST: "forhost"}})
    path = path / "config.json"

    where = store_login(path, RegistryAuth(HOST, "k8sx", "s3cret"))

    assert where == "docker-credential-forhost"
    stored = {"ServerURL": HOST, "Username": "k8sx", "Secret": "s3cret"}
    assert host_store.calls() == [{"action": "store", "stdin": json.dumps(stored)}] and general.calls() == []
    config = json.loads(path.read_text())
    assert config["auths"] == {**OTHERS["auths"], HOST: {}} and "s3cret" not in path.read_text()
    assert config["credHelpers"] == {HOST: "forhost"} and config["credsStore"] == "general"
    assert DockerCredentials(path.parent).lookup(HOST) == RegistryAuth(HOST, "k8sx", "s3cret")


def test_a_failing_helper_names_the_server_never_the_secret_and_nothing_changes(
    tmp_path: Path, helpers_on_path: Path
) -> None:
    broken = helpers_on_path / "docker-credential-broken"
    broken.write_text("#!/bin/sh\ncat >/dev/null\necho 'keychain locked' >&2\nexit 1\n")
    broken.chmod(0o755)
    path = write_config(tmp_path / "docker", {**OTHERS, "credsStore": "broken"}) / "config.json"
    before = path.read_bytes()

    with pytest.raises(CredentialsError) as raised:
        store_login(path, RegistryAuth(HOST, "k8sx", "s3cret"))

    assert str(raised.value) == f"docker-credential-broken store failed for {HOST}: keychain locked"
    assert path.read_bytes() == before


def test_a_broken_config_json_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"auths": {')
    with pytest.raises(CredentialsError, match="is not valid JSON"):
        store_login(path, RegistryAuth(HOST, "k8sx", "s3cret"))
    assert path.read_text() == '{"auths": {'


def test_a_symlinked_config_json_stays_a_link_and_its_target_is_replaced(tmp_path: Path) -> None:
    target = write_config(tmp_path / "dotfiles", OTHERS) / "config.json"
    link = tmp_path / "docker" / "config.json"
    link.parent.mkdir()
    link.symlink_to(target)
    store_login(link, RegistryAuth(HOST, "k8sx", "s3cret"))
    assert link.is_symlink() and json.loads(target.read_text())["auths"][HOST] == {"auth": basic("k8sx", "s3cret")}
