"""Storing a registry login the way `docker login` does, so the docker CLI and the app read it back alike.

The credential helper in charge of the registry (`credHelpers[host]`, else `credsStore`) gets it through
`docker-credential-<name> store`, and config.json only records the registry under `auths` without a secret, as
the CLI does; with no helper, `auths[host]` holds base64 `user:password`. config.json keeps every other key, and
is replaced atomically, readable by its owner only (it may hold a password).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tui.services.images.registry_auth import (
    IDENTITY_TOKEN_USERNAME,
    CredentialsError,
    RegistryAuth,
    helper_for,
    read_config,
    run_credential_helper,
)


def store_login(config_path: Path, auth: RegistryAuth) -> str:
    """Store `auth` for its server address; returns where it went, in words. CredentialsError when it cannot be
    stored (a broken config.json is never overwritten)."""
    config = read_config(config_path)
    key = auth.server_address
    helper = helper_for(config, key)
    if helper:
        username, secret = (
            (IDENTITY_TOKEN_USERNAME, auth.identity_token) if auth.identity_token else (auth.username, auth.password)
        )
        payload = json.dumps({"ServerURL": key, "Username": username, "Secret": secret})
        run_credential_helper(helper, "store", key, config_path, payload=payload)
        entry: dict[str, str] = {}
        where = f"docker-credential-{helper}"
    else:
        # As the CLI: with an identity token the password is not kept.
        password = "" if auth.identity_token else auth.password
        entry = {"auth": base64.b64encode(f"{auth.username}:{password}".encode()).decode()}
        if auth.identity_token:
            entry["identitytoken"] = auth.identity_token
        where = str(config_path)
    auths = config.get("auths")
    config["auths"] = {**(auths if isinstance(auths, dict) else {}), key: entry}
    _write_private(config_path, config)
    return where


def _write_private(path: Path, config: dict[str, Any]) -> None:
    """Write through a temporary file in the same folder, so a reader sees the old file or the new, never half."""
    target = path.resolve()  # a symlinked config.json stays a symlink: its target is replaced
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".config.json.")  # created 0600
        try:
            with os.fdopen(handle, "w") as file:
                json.dump(config, file, indent="\t")
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CredentialsError(f"cannot write {path}: {exc.strerror or exc}") from exc
