"""Credentials resolved from a docker config dir as the docker CLI resolves them, through real helper programs.

The helpers are small scripts speaking the credential helper protocol (`get`, server address on stdin, JSON on
stdout); each test has its own config dir and PATH, so this machine's ~/.docker is never read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.docker_config import basic, write_config, write_credential_helper
from tui.models.images.image import ImageRef
from tui.services.images.build_context import base_registries
from tui.services.images.registry_auth import (
    CredentialsError,
    DockerCredentials,
    RegistryAuth,
    registry_api_url,
    registry_has_tag,
)


@pytest.fixture
def helpers_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only the test's helpers (and no docker-credential-* this machine may have)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_a_login_in_auths_gives_user_and_password(tmp_path: Path) -> None:
    config = write_config(tmp_path / "docker", {"auths": {"127.0.0.1:5001": {"auth": basic("k8sx", "s3:cret")}}})
    auth = DockerCredentials(config).lookup("127.0.0.1:5001")
    assert auth == RegistryAuth("127.0.0.1:5001", "k8sx", "s3:cret")
    assert auth.engine_auth() == {"username": "k8sx", "password": "s3:cret", "serveraddress": "127.0.0.1:5001"}


def test_an_auths_key_written_as_a_url_by_an_old_client_still_matches_its_host(tmp_path: Path) -> None:
    config = write_config(tmp_path / "docker", {"auths": {"https://127.0.0.1:5001/v1/": {"auth": basic("a", "b")}}})
    auth = DockerCredentials(config).lookup("127.0.0.1:5001")
    assert auth is not None and (auth.username, auth.password) == ("a", "b")


def test_an_identity_token_is_sent_instead_of_a_password(tmp_path: Path) -> None:
    config = write_config(tmp_path / "docker", {"auths": {"127.0.0.1:5001": {"identitytoken": "refresh-me"}}})
    auth = DockerCredentials(config).lookup("127.0.0.1:5001")
    assert auth is not None
    assert auth.engine_auth() == {"identitytoken": "refresh-me", "serveraddress": "127.0.0.1:5001"}


def test_docker_hub_credentials_are_filed_under_the_historical_index_url(tmp_path: Path) -> None:
    config = write_config(tmp_path / "docker", {"auths": {"https://index.docker.io/v1/": {"auth": basic("me", "pw")}}})
    auth = DockerCredentials(config).lookup("docker.io")
    assert auth is not None and auth.username == "me"


def test_no_config_file_or_no_entry_means_no_credentials(tmp_path: Path) -> None:
    assert DockerCredentials(tmp_path / "nothing-here").lookup("127.0.0.1:5001") is None
    config = write_config(tmp_path / "docker", {"auths": {"127.0.0.1:5000": {"auth": basic("a", "b")}}})
    assert DockerCredentials(config).lookup("127.0.0.1:5001") is None


def test_a_broken_config_json_is_reported_with_its_path(tmp_path: Path) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    (config_dir / "config.json").write_text("{not json")
    with pytest.raises(CredentialsError, match=r"config.json is not valid JSON"):
        DockerCredentials(config_dir).lookup("127.0.0.1:5001")


def test_a_cred_helper_for_the_host_wins_over_auths_and_is_asked_with_the_host_on_stdin(
    tmp_path: Path, helpers_on_path: Path
) -> None:
    calls = write_credential_helper(helpers_on_path, "vault", {"127.0.0.1:5001": ("from-helper", "pw")})
    config = write_config(
        tmp_path / "docker",
        {"credHelpers": {"127.0.0.1:5001": "vault"}, "auths": {"127.0.0.1:5001": {"auth": basic("from-file", "x")}}},
    )
    assert DockerCredentials(config).lookup("127.0.0.1:5001") == RegistryAuth("127.0.0.1:5001", "from-helper", "pw")
    assert calls.read_text() == "get 127.0.0.1:5001\n"


def test_cred_helpers_win_over_the_creds_store_which_wins_over_auths(tmp_path: Path, helpers_on_path: Path) -> None:
    write_credential_helper(helpers_on_path, "special", {"127.0.0.1:5001": ("special-user", "1")})
    write_credential_helper(helpers_on_path, "store", {"127.0.0.1:5000": ("store-user", "2")})
    config = write_config(
        tmp_path / "docker",
        {
            "credHelpers": {"127.0.0.1:5001": "special"},
            "credsStore": "store",
            "auths": {"127.0.0.1:5000": {"auth": basic("file-user", "3")}},
        },
    )
    credentials = DockerCredentials(config)
    assert [credentials.lookup(host) for host in ("127.0.0.1:5001", "127.0.0.1:5000", "127.0.0.1:5002")] == [
        RegistryAuth("127.0.0.1:5001", "special-user", "1"),
        RegistryAuth("127.0.0.1:5000", "store-user", "2"),
        None,  # the store does not know it: as for the CLI, auths is not consulted behind a store's back
    ]


def test_a_helper_answering_with_the_token_user_gives_an_identity_token(tmp_path: Path, helpers_on_path: Path) -> None:
    write_credential_helper(helpers_on_path, "oidc", {"127.0.0.1:5001": ("<token>", "refresh-token")})
    config = write_config(tmp_path / "docker", {"credsStore": "oidc"})
    assert DockerCredentials(config).lookup("127.0.0.1:5001") == RegistryAuth(
        "127.0.0.1:5001", identity_token="refresh-token"
    )


def test_a_missing_gcloud_helper_for_artifact_registry_says_how_to_set_it_up(
    tmp_path: Path, helpers_on_path: Path
) -> None:
    config = write_config(tmp_path / "docker", {"credHelpers": {"europe-west2-docker.pkg.dev": "gcloud"}})
    with pytest.raises(CredentialsError) as raised:
        DockerCredentials(config).lookup("europe-west2-docker.pkg.dev")
    assert str(raised.value) == (
        "docker-credential-gcloud not found on PATH: run `gcloud auth configure-docker europe-west2-docker.pkg.dev`"
    )


def test_a_missing_helper_for_another_registry_names_the_program_and_the_config(
    tmp_path: Path, helpers_on_path: Path
) -> None:
    config = write_config(tmp_path / "docker", {"credsStore": "desktop"})
    with pytest.raises(CredentialsError, match=r"docker-credential-desktop not found on PATH: install it, or remove"):
        DockerCredentials(config).lookup("127.0.0.1:5001")


def test_a_failing_helper_passes_on_what_it_said(tmp_path: Path, helpers_on_path: Path) -> None:
    broken = helpers_on_path / "docker-credential-broken"
    broken.write_text("#!/bin/sh\necho 'keychain is locked'\nexit 2\n")
    broken.chmod(0o755)
    config = write_config(tmp_path / "docker", {"credsStore": "broken"})
    with pytest.raises(CredentialsError, match=r"docker-credential-broken get failed for 127.0.0.1:5001: keychain"):
        DockerCredentials(config).lookup("127.0.0.1:5001")


def test_loopback_registries_are_spoken_to_in_plain_http_and_others_in_https() -> None:
    assert registry_api_url("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert registry_api_url("localhost:5000") == "http://localhost:5000"
    assert registry_api_url("[::1]:5000") == "http://[::1]:5000"
    assert registry_api_url("europe-west2-docker.pkg.dev") == "https://europe-west2-docker.pkg.dev"
    assert registry_api_url("docker.io") == "https://registry-1.docker.io"


def test_a_build_asks_for_credentials_only_for_the_registries_its_base_images_come_from() -> None:
    dockerfile = """
        ARG BASE=127.0.0.1:5001/team/base:1
        FROM ${BASE} AS deps
        FROM --platform=linux/amd64 europe-west2-docker.pkg.dev/p/r/cuda:12 AS train
        COPY --from=deps /x /x
        COPY --from=127.0.0.1:5000/tools:1 /bin/tool /bin/tool
        FROM scratch
        FROM $UNSET_ARG
        # FROM 127.0.0.1:5009/commented-out
    """
    assert base_registries(dockerfile, {}) == {"127.0.0.1:5001", "europe-west2-docker.pkg.dev", "127.0.0.1:5000"}
    assert base_registries("ARG BASE=busybox\nFROM $BASE\n", {"BASE": "127.0.0.1:5002/b"}) == {"127.0.0.1:5002"}


class _TokenRegistry(BaseHTTPRequestHandler):
    """A registry with the Bearer token flow (as Artifact Registry and Docker Hub have), holding team/model:1."""

    def do_HEAD(self) -> None:
        if self.path.startswith("/v2/team/model/manifests/"):
            if self.headers.get("Authorization") != "Bearer t0ken":
                realm = f"http://{self.headers['Host']}/token"
                self.send_response(401)
                self.send_header("WWW-Authenticate", f'Bearer realm="{realm}",service="test-registry"')
            else:
                self.send_response(200 if self.path.endswith("/1") else 404)
            self.end_headers()

    def do_GET(self) -> None:
        asks_for_the_repository = "scope=repository%3Ateam%2Fmodel%3Apull" in self.path
        authorization = self.headers.get("Authorization")
        if (
            self.path.startswith("/token?")
            and asks_for_the_repository
            and authorization == f"Basic {basic('oauth2accesstoken', 'ya29')}"
        ):
            body = b'{"token": "t0ken"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(401)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def token_registry() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_registry_with_the_token_flow_is_asked_with_a_token_bought_by_the_credentials(token_registry: str) -> None:
    auth = RegistryAuth(token_registry, "oauth2accesstoken", "ya29")
    assert registry_has_tag(ImageRef.parse(f"{token_registry}/team/model:1"), auth) is True
    assert registry_has_tag(ImageRef.parse(f"{token_registry}/team/model:2"), auth) is False
    wrong = RegistryAuth(token_registry, "oauth2accesstoken", "expired")
    assert registry_has_tag(ImageRef.parse(f"{token_registry}/team/model:1"), wrong) is None
