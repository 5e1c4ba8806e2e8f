"""Registry credentials exactly as the docker CLI finds them, and whether a registry already holds a tag.

The docker CLI resolves a registry's credentials from `config.json` in this order: `credHelpers[host]`, then
`credsStore`, then `auths[host]`. Helpers are the `docker-credential-<name>` programs of the credential helper
protocol (`get` with the server address on stdin, JSON on stdout), so `gcloud auth configure-docker` setups work.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tui.models.images.image import DOCKER_HUB, ImageRef, is_artifact_registry_host

DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_API = "registry-1.docker.io"
HELPER_TIMEOUT_S = 60
REGISTRY_TIMEOUT_S = 10
IDENTITY_TOKEN_USERNAME = "<token>"
CREDENTIALS_NOT_FOUND = "credentials not found in native keychain"
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    )
)
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


class CredentialsError(Exception):
    """Credentials could not be read (a helper is missing or failed, config.json is broken); says what to do."""


@dataclass(frozen=True)
class RegistryAuth:
    """The credentials for one registry: a user and password, or an identity (refresh) token."""

    server_address: str
    username: str = ""
    password: str = ""
    identity_token: str = ""

    def engine_auth(self) -> dict[str, str]:
        """The body of dockerd's X-Registry-Auth header."""
        if self.identity_token:
            return {"identitytoken": self.identity_token, "serveraddress": self.server_address}
        return {"username": self.username, "password": self.password, "serveraddress": self.server_address}


def auth_key(registry: str) -> str:
    """The key the docker CLI files a registry's credentials under (Docker Hub keeps its historical URL)."""
    return DOCKER_HUB_AUTH_KEY if registry in (DOCKER_HUB, "index.docker.io") else registry


def default_config_dir() -> Path:
    """$DOCKER_CONFIG, else ~/.docker, as for the docker CLI."""
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _hostname(address: str) -> str:
    """`https://host:5000/v1/` -> `host:5000`: auths keys written by old clients carry a scheme and path."""
    return address.removeprefix("http://").removeprefix("https://").split("/", 1)[0]


class DockerCredentials:
    """The credentials of one docker config directory; config.json is re-read on every lookup, so a
    `docker login` or `gcloud auth configure-docker` done while the app runs is picked up."""

    def __init__(self, config_dir: str | Path | None = None) -> None:
        self.config_path = Path(config_dir or default_config_dir()) / "config.json"

    def lookup(self, registry: str) -> RegistryAuth | None:
        """The credentials the docker CLI would send to `registry`, or None when it has none."""
        config = self._config()
        key = auth_key(registry)
        helper = helper_for(config, key)
        if helper:
            return self._from_helper(helper, key)
        return self._from_auths(key, config)

    def _config(self) -> dict[str, Any]:
        return read_config(self.config_path)

    def _from_auths(self, key: str, config: dict[str, Any]) -> RegistryAuth | None:
        auths: dict[str, dict[str, str]] = config.get("auths", {})
        entry = auths.get(key) or next((v for k, v in auths.items() if _hostname(k) == _hostname(key)), None)
        if not entry:
            return None
        username, password = entry.get("username", ""), entry.get("password", "")
        if entry.get("auth"):
            try:
                username, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise CredentialsError(f"the auth of {key} in {self.config_path} is not base64 user:password") from exc
        identity_token = entry.get("identitytoken", "")
        if not (username or identity_token):
            return None
        return RegistryAuth(key, username, password, identity_token)

    def _from_helper(self, helper: str, key: str) -> RegistryAuth | None:
        """The helper's answer; as for the CLI, a helper in charge of a registry hides the auths entries for it."""
        reply = run_credential_helper(helper, "get", key, self.config_path)
        if reply is None:
            return None
        try:
            answer = json.loads(reply)
            username, secret = str(answer.get("Username", "")), str(answer.get("Secret", ""))
        except (json.JSONDecodeError, AttributeError) as exc:
            raise CredentialsError(f"docker-credential-{helper} get answered something that is not JSON") from exc
        if username == IDENTITY_TOKEN_USERNAME:
            return RegistryAuth(key, identity_token=secret)
        return RegistryAuth(key, username, secret)


def read_config(config_path: Path) -> dict[str, Any]:
    """config.json as a dict ({} when there is none); CredentialsError when it cannot be read or is not JSON."""
    try:
        text = config_path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialsError(f"cannot read {config_path}: {exc.strerror}") from exc
    try:
        config = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise CredentialsError(f"{config_path} is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise CredentialsError(f"{config_path} does not hold a JSON object")
    return config


def helper_for(config: dict[str, Any], key: str) -> str | None:
    """The credential helper in charge of a registry: `credHelpers[key]`, else `credsStore`, else None (auths)."""
    helpers = config.get("credHelpers")
    helper = (helpers.get(key) if isinstance(helpers, dict) else None) or config.get("credsStore")
    return str(helper) if helper else None


def run_credential_helper(
    helper: str, action: str, server: str, config_path: Path, payload: str | None = None
) -> str | None:
    """Run `docker-credential-<helper> <action>` with the payload (else the server address) on stdin; None when
    it has no credentials. Messages name the server, never the payload (a `store` payload holds the secret)."""
    program = f"docker-credential-{helper}"
    try:
        done = subprocess.run(
            [program, action],
            input=server if payload is None else payload,
            capture_output=True,
            text=True,
            timeout=HELPER_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as exc:
        raise CredentialsError(_missing_helper_message(program, server, config_path)) from exc
    except PermissionError as exc:
        raise CredentialsError(f"{program} is not executable (chmod +x it)") from exc
    except subprocess.TimeoutExpired as exc:
        raise CredentialsError(f"{program} {action} gave no answer within {HELPER_TIMEOUT_S} s") from exc
    said = (done.stdout.strip() or done.stderr.strip()).splitlines()
    if done.returncode != 0:
        if said and said[0] == CREDENTIALS_NOT_FOUND:
            return None
        reason = said[-1] if said else f"exit code {done.returncode}"
        raise CredentialsError(f"{program} {action} failed for {server}: {reason}")
    return done.stdout


def _missing_helper_message(program: str, registry: str, config_path: Path) -> str:
    if is_artifact_registry_host(registry):
        return f"{program} not found on PATH: run `gcloud auth configure-docker {registry}`"
    return f"{program} not found on PATH: install it, or remove it from {config_path}"


def registry_api_url(registry: str) -> str:
    """Where a registry's HTTP API answers: plain HTTP on loopback (dockerd trusts it as insecure), else HTTPS."""
    host = DOCKER_HUB_API if registry == DOCKER_HUB else registry
    return f"{'http' if _is_loopback(host) else 'https'}://{host}"


def _is_loopback(host: str) -> bool:
    name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def registry_has_tag(ref: ImageRef, auth: RegistryAuth | None, timeout: float = REGISTRY_TIMEOUT_S) -> bool | None:
    """Whether the registry already has ref's tag, to warn before overwriting it; None when it cannot tell."""
    url = f"{registry_api_url(ref.registry)}/v2/{ref.repository}/manifests/{ref.tag_or_latest}"
    headers = {"Accept": MANIFEST_TYPES}
    try:
        with requests.Session() as session:
            response = session.head(url, headers=headers, timeout=timeout)
            if response.status_code == 401:
                authorization = _answer_challenge(session, response.headers.get("WWW-Authenticate", ""), ref, auth)
                if authorization is None:
                    return None
                response = session.head(url, headers={**headers, "Authorization": authorization}, timeout=timeout)
    except requests.RequestException:
        return None
    return {200: True, 404: False}.get(response.status_code)


def _answer_challenge(
    session: requests.Session, challenge: str, ref: ImageRef, auth: RegistryAuth | None
) -> str | None:
    """The Authorization header for a registry's WWW-Authenticate challenge: Basic, or a Bearer token fetched
    from the challenge's realm (the token flow of Docker Hub, Artifact Registry and most hosted registries)."""
    scheme, _, params_text = challenge.partition(" ")
    if scheme.lower() == "basic":
        if auth is None or not auth.username:
            return None
        basic = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode()
        return f"Basic {basic}"
    if scheme.lower() != "bearer":
        return None
    params = dict(_CHALLENGE_PARAM.findall(params_text))
    if "realm" not in params:
        return None
    query = {"service": params.get("service", ""), "scope": params.get("scope") or f"repository:{ref.repository}:pull"}
    timeout = REGISTRY_TIMEOUT_S
    if auth is not None and auth.identity_token:
        form = {**query, "grant_type": "refresh_token", "refresh_token": auth.identity_token, "client_id": "k8sx-tui"}
        reply = session.post(params["realm"], data=form, timeout=timeout)
    else:
        credentials = (auth.username, auth.password) if auth is not None and auth.username else None
        reply = session.get(params["realm"], params=query, auth=credentials, timeout=timeout)
    if reply.status_code != 200:
        return None
    body = reply.json()
    token = body.get("token") or body.get("access_token")
    return f"Bearer {token}" if token else None


def ping_registry(registry: str, auth: RegistryAuth | None, timeout: float = REGISTRY_TIMEOUT_S) -> int | None:
    """`GET /v2/` with the credentials the docker CLI would use: 200 when they are accepted, 401 when not
    (or when there are none and the registry wants some); None when the registry cannot be reached."""
    url = f"{registry_api_url(registry)}/v2/"
    probe_ref = ImageRef(registry, "k8sx-doctor/probe")
    try:
        with requests.Session() as session:
            response = session.get(url, timeout=timeout)
            if response.status_code == 401:
                authorization = _answer_challenge(
                    session, response.headers.get("WWW-Authenticate", ""), probe_ref, auth
                )
                if authorization is None:
                    return 401
                response = session.get(url, headers={"Authorization": authorization}, timeout=timeout)
    except requests.RequestException:
        return None
    return response.status_code
