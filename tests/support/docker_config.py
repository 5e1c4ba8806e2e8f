"""Docker client configuration for tests: config.json files and credential helper programs.

The helpers are small scripts speaking the real credential helper protocol (`get`, server address on stdin,
JSON on stdout), so the code under test runs them exactly as it would run docker-credential-gcloud.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

HELPER = """#!/bin/sh
IFS= read -r server
printf '%s %s\\n' "$1" "$server" >> "{log}"
case "$server" in
{cases}
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
"""


def write_credential_helper(bin_dir: Path, name: str, answers: dict[str, tuple[str, str]]) -> Path:
    """A `docker-credential-<name>` answering `get` for the given servers; returns the log of its calls."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = bin_dir / f"{name}.calls"
    cases = "\n".join(
        f"  '{server}') printf '%s' '{json.dumps({'ServerURL': server, 'Username': user, 'Secret': secret})}' ;;"
        for server, (user, secret) in answers.items()
    )
    helper = bin_dir / f"docker-credential-{name}"
    helper.write_text(HELPER.format(log=log, cases=cases))
    helper.chmod(0o755)
    return log


def write_config(config_dir: Path, config: dict[str, object]) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.json").write_text(json.dumps(config))
    return config_dir


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()
