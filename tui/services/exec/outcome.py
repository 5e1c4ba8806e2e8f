"""How an exec ended, whichever protocol carried it: the Status the API server sends on its error channel."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass


class ExecFailed(Exception):
    """The command could not run, or ended with an error; the message is the API's or the command's words."""


@dataclass
class ExecOutcome:
    exit_code: int | None  # None when the API gave no code (e.g. the command was not found)
    message: str  # the API's words when it failed
    stderr: bytes

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


def status_of(error_channel: bytes) -> dict[str, object]:
    """The Status the error channel carried; words that are not JSON are taken as a failure's message."""
    try:
        status = json.loads(error_channel)
    except ValueError:
        status = None
    if not isinstance(status, dict):
        return {"status": "Failure", "message": error_channel.decode(errors="replace")}
    return status


def outcome_of(status: dict[str, object] | None, stderr: bytes, lost: str) -> ExecOutcome:
    """The outcome from the Status (None: none came, and `lost` says why the stream ended without one)."""
    status = status or {}
    if status.get("status") == "Success":
        return ExecOutcome(0, "", stderr)
    message = str(status.get("message", lost or "the exec stream closed without a status"))
    code: int | None = None
    details = status.get("details")
    if isinstance(details, dict):
        for cause in details.get("causes") or []:
            if isinstance(cause, dict) and cause.get("reason") == "ExitCode":
                try:
                    code = int(cause.get("message", ""))
                except ValueError:
                    code = None
    return ExecOutcome(code, message, stderr)


def connection_cut(exc: BaseException) -> str:
    """A dropped connection in words: a reset or a TLS stream ended mid-record is the same thing to a user."""
    if isinstance(exc, (ConnectionError, ssl.SSLEOFError)) or "EOF occurred" in str(exc):
        return "the connection to the pod was cut (by the network, a proxy or the API server)"
    return f"the connection to the pod was cut: {str(exc) or type(exc).__name__}"
