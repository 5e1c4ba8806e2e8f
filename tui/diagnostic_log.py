"""The diagnostic log: what a user attaches to a bug report. Start-up facts, every API or engine failure, every
worker failure with its traceback, slow requests; rotated so it stays a few MB. Never a secret: the formatter blanks
passwords, tokens and auth headers in every record, tracebacks included."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import re
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from tui.models.xdg import state_dir

LOG_NAME = "k8sx-tui.log"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
# Libraries that log request bodies or headers at DEBUG: only their warnings are kept.
QUIET_LIBRARIES = ("urllib3", "kubernetes", "docker", "websocket", "asyncio")

log = logging.getLogger("tui")

_SECRETS = (
    # "Authorization: Bearer x", "X-Registry-Auth: x", and the same as dict entries or JSON.
    re.compile(r"(?i)((?:proxy-)?authorization|x-registry-auth)(['\"]?\s*[:=]\s*['\"]?)[^'\"\n,}]+"),
    # password=x, "password": "x", token: x, identitytoken, auth, secret, client-key-data…
    re.compile(
        r"(?i)(\b(?:password|passwd|secret|[a-z_-]*token|auth|client-key-data|key)\b)(['\"]?\s*[:=]\s*['\"]?)"
        r"[^\s'\",}]+"
    ),
    re.compile(r"(?i)(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(://[^/\s:@]+:)()[^@\s/]+(?=@)"),  # https://user:password@host
)


def redact(text: str) -> str:
    """`text` with the values of passwords, tokens and auth headers replaced by ***."""
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return text


class RedactingFormatter(logging.Formatter):
    """Applies `redact` to the whole record as written: message, arguments and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def default_log_path(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_STATE_HOME/k8sx-tui/k8sx-tui.log, by default ~/.local/state/k8sx-tui/k8sx-tui.log."""
    return state_dir(environ) / LOG_NAME


_current: Path | None = None


def log_path() -> Path | None:
    """Where this process logs, once `start_log` succeeded (shown by the help screen and the doctor)."""
    return _current


def start_log(path: Path, level: str = "info") -> str | None:
    """Sends the app's records to a rotating file at `path`; None, or why it could not (the app runs on)."""
    global _current
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        return f"the diagnostic log {path} cannot be written ({exc.strerror or exc}); nothing is logged"
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"))
    stop_log()
    handler.k8sx_log = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    _current = path
    return None


def stop_log() -> None:
    """Closes the file `start_log` opened (tests start one per test)."""
    global _current
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "k8sx_log", False)]:
        root.removeHandler(handler)
        handler.close()
    _current = None


def log_start_up(facts: Mapping[str, object]) -> None:
    """The first lines of a run: versions, then what it was pointed at."""
    versions = ", ".join(f"{name} {_version(name)}" for name in ("k8sx-tui", "textual", "kubernetes", "docker"))
    log.info("k8sx-tui starting: %s; Python %s on %s", versions, platform.python_version(), sys.platform)
    for key, value in facts.items():
        log.info("  %s: %s", key, value)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"
