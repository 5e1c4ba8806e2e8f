"""gcloud's answers in the app's terms: `gcloud logging read --format=json` output (a JSON array of LogEntry
objects) as log lines `<timestamp> <text>\n` like an archive's, and its failures (on stderr) in words."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tui.models.logs.lines import timestamp_ns
from tui.services.logs.cloud_query import CloudQuery
from tui.services.logs.stream import MAX_PENDING_LINE

MAX_SAID = 600  # characters of gcloud's error text repeated
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class CloudLoggingError(Exception):
    """Cloud Logging could not be read: the words say why and what to do."""


@dataclass
class Parsed:
    lines: list[bytes]  # "<timestamp> <text>\n", as an archive holds them
    entries: int  # entries read (with or without text)
    skipped: int  # entries with no text payload or no timestamp


def parse_entries(data: bytes, cut: bool = False) -> Parsed:
    """gcloud's `--format=json` answer: a JSON array of LogEntry objects. `cut`: the answer was cut at MAX_OUTPUT
    (the entries before the cut are kept). CloudLoggingError when it is not such an array."""
    text = data.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position == len(text):
        return Parsed([], 0, 0)  # (nothing printed: no entry)
    if text[position] != "[":
        raise CloudLoggingError(f"gcloud's answer is not a JSON list of log entries: {said(text[:200])!r}")
    parsed = Parsed([], 0, 0)
    position += 1
    while True:
        position = _skip_space(text, position)
        if position < len(text) and text[position] == "]":
            return parsed
        if position < len(text) and text[position] == "," and parsed.entries:
            position = _skip_space(text, position + 1)
        try:
            entry, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            if cut:
                return parsed
            raise CloudLoggingError(f"gcloud's answer is not valid JSON ({exc.msg} at character {exc.pos})") from exc
        parsed.entries += 1
        lines = entry_lines(entry)
        parsed.lines.extend(lines)
        parsed.skipped += not lines


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def entry_lines(entry: object) -> list[bytes]:
    """One LogEntry's lines: textPayload, or jsonPayload.message (else the jsonPayload as compact JSON), each line
    of it with the entry's timestamp. None for an entry without either or without a readable timestamp."""
    if not isinstance(entry, dict):
        return []
    stamp = next(
        (s for s in (entry.get("timestamp"), entry.get("receiveTimestamp")) if isinstance(s, str) and valid_time(s)),
        "",
    )
    payload = entry.get("jsonPayload")
    if isinstance(entry.get("textPayload"), str):
        message = entry["textPayload"]
    elif isinstance(payload, dict):
        inner = payload.get("message")
        message = inner if isinstance(inner, str) else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    else:
        return []
    if not stamp:
        return []
    prefix = stamp.encode() + b" "
    body = message.removesuffix("\n").encode("utf-8", errors="replace")
    lines: list[bytes] = []
    for line in body.split(b"\n"):
        for start in range(0, max(len(line), 1), MAX_PENDING_LINE):  # a huge "line" cut as a followed log cuts it
            lines.append(prefix + line[start : start + MAX_PENDING_LINE] + b"\n")
    return lines


def valid_time(stamp: str) -> bool:
    return len(stamp) <= 40 and timestamp_ns(stamp.encode()) is not None


def said(text: str) -> str:
    """gcloud's words, shown safely: control characters (an escape sequence) as �, at most MAX_SAID characters."""
    flat = _CONTROL.sub("\ufffd", text.strip())
    return flat if len(flat) <= MAX_SAID else flat[:MAX_SAID] + "…"


def explain_failure(stderr: str, code: int, query: CloudQuery) -> str:
    """gcloud's failure in words: what to do about it, then what gcloud said (its ERROR line first)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    error = next((line for line in lines if line.startswith("ERROR:")), lines[0] if lines else "")
    words = said(error.removeprefix("ERROR:").strip() or f"exit code {code}")
    folded = stderr.lower()
    if (
        "do not currently have an active account" in folded
        or "gcloud auth login" in folded
        or "reauthentication" in folded
        or "refreshing your current auth tokens" in folded
    ):
        return f"gcloud is not signed in: run `gcloud auth login` (gcloud said: {words})"
    if "permission_denied" in folded or "permission denied" in folded:
        return (
            f"gcloud's account may not read the logs of project {query.project} (it needs the Logs Viewer role, "
            f"roles/logging.viewer): {words}"
        )
    return f"gcloud logging read failed (exit code {code}): {words}"
