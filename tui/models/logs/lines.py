"""Log lines and what a log stream reports: plain values, no I/O.

A line is kept exactly as the API server sends it with `timestamps=true`: `<RFC3339Nano timestamp> <message>`.
The timestamp is what lets a dropped stream resume with `sinceTime` without repeating a line.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field

DEFAULT_TAIL_LINES = 1000


@dataclass(frozen=True)
class LogTarget:
    """One container's log: the unit a stream follows."""

    namespace: str
    pod: str
    container: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.pod}/{self.container}"


@dataclass(frozen=True)
class LogRange:
    """Where a log starts: the last `tail_lines` lines, or everything since `since_seconds` ago, or all."""

    tail_lines: int | None = DEFAULT_TAIL_LINES
    since_seconds: int | None = None

    @property
    def label(self) -> str:
        if self.since_seconds is not None:
            return f"since {duration_label(self.since_seconds)}"
        if self.tail_lines is not None:
            return f"last {self.tail_lines:,} lines"
        return "all lines"


def since_choices(tail_lines: int = DEFAULT_TAIL_LINES) -> dict[str, LogRange]:
    """The ranges the picker offers: the configured tail first, then the usual time ranges and everything."""
    return {
        f"last {tail_lines:,} lines": LogRange(tail_lines),
        "1m": LogRange(None, 60),
        "5m": LogRange(None, 300),
        "15m": LogRange(None, 900),
        "1h": LogRange(None, 3600),
        "all": LogRange(None, None),
    }


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_range(text: str, tail_lines: int = DEFAULT_TAIL_LINES) -> LogRange | None:
    """A range typed by the user: a choice's name, `30s`/`2h`/`3d` (since), or a number (the last N lines)."""
    text = text.strip()
    choices = since_choices(tail_lines)
    if text in choices:
        return choices[text]
    if text.replace(",", "").isdigit() and int(text.replace(",", "")) > 0:
        return LogRange(int(text.replace(",", "")))
    if match := _DURATION.match(text):
        return LogRange(None, int(match.group(1)) * _UNITS[match.group(2)])
    return None


def duration_label(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


# ---------------------------------------------------------------- timestamps

_TIMESTAMP = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def timestamp_token(line: bytes) -> bytes:
    """The timestamp a line starts with (empty when the line has none)."""
    space = line.find(b" ", 0, 40)
    return line[:space] if space > 0 else b""


def timestamp_ns(token: bytes) -> int | None:
    """An RFC3339(Nano) timestamp as nanoseconds since the epoch, or None when the token is not one."""
    match = _TIMESTAMP.match(token)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or b"").ljust(9, b"0")
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone != b"Z":
        offset = int(zone[1:3]) * 3600 + int(zone[4:6]) * 60
        seconds -= offset if zone[:1] == b"+" else -offset
    return seconds * 1_000_000_000 + int(fraction)


def since_time_param(ns: int) -> str:
    """`sinceTime` for a resume from `ns`. The API takes whole seconds, so it is rounded down: the server resends
    the lines of that second and the stream drops the ones it already has."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 1_000_000_000))


def sort_key(line: bytes) -> bytes:
    """A key that orders lines by time. Kubelets write `...000000000Z` (fixed width, UTC), which sorts as bytes;
    anything else is normalised first."""
    if line[29:31] == b"Z ":
        return line[:30]
    ns = timestamp_ns(timestamp_token(line))
    if ns is None:
        return b""
    return since_time_param(ns)[:-1].encode() + b".%09dZ" % (ns % 1_000_000_000)


# ---------------------------------------------------------------- what a stream reports


@dataclass(frozen=True)
class LogChunk:
    """Complete lines of one source, each `timestamp message\\n`, in one block (never one event per line)."""

    source: int
    data: bytes
    lines: int


@dataclass(frozen=True)
class StreamConnected:
    """The server accepted the request; lines follow (or, for a quiet log, nothing yet: "waiting for logs")."""

    source: int
    resumed: bool = False


@dataclass(frozen=True)
class StreamWaiting:
    """The container has no log yet (it is still starting); the stream asks again by itself."""

    source: int
    reason: str
    retry_in: float


@dataclass(frozen=True)
class StreamTrouble:
    """The connection failed or dropped; the stream reconnects by itself after `retry_in` seconds."""

    source: int
    reason: str
    retry_in: float


@dataclass(frozen=True)
class StreamGap:
    """On resuming, the server no longer had lines the stream expected: lines between may be missing."""

    source: int
    reason: str


@dataclass(frozen=True)
class StreamRestarted:
    """The container was restarted: the lines that follow are the new container's (none is missing)."""

    source: int


@dataclass(frozen=True)
class StreamEnded:
    """The log is complete (the container exited, the pod is gone, a previous container's log was read)."""

    source: int
    reason: str


StreamEvent = LogChunk | StreamConnected | StreamWaiting | StreamTrouble | StreamGap | StreamRestarted | StreamEnded


@dataclass
class SourceState:
    """What the screen shows about one source."""

    label: str
    state: str = "connecting"  # connecting, live, waiting, reconnecting, ended
    reason: str = ""
    lines: int = 0
    gaps: list[str] = field(default_factory=list)


def streams_status(sources: list[SourceState]) -> str:
    """One phrase for all sources: `reconnecting: why`, `waiting for logs (why)`, `stream ended: why`, `live`.
    A server sends nothing, not even headers, until a log has a line, so connecting reads as waiting for logs."""
    if not sources:
        return ""
    several = len(sources) > 1

    def who(state: SourceState) -> str:
        return f"{state.label}: " if several else ""

    for kind, words in (("reconnecting", "reconnecting: {}"), ("waiting", "waiting for logs ({})")):
        for state in sources:
            if state.state == kind:
                return words.format(who(state) + state.reason)
    ended = [s for s in sources if s.state == "ended"]
    if len(ended) == len(sources):
        return "stream ended: " + "; ".join(f"{who(s)}{s.reason}" for s in ended)
    if not any(s.lines for s in sources):
        return "waiting for logs"
    return "live" if not ended else f"live ({len(ended)} ended)"


# ---------------------------------------------------------------- when a stream ends or fails


def end_verdict(pod: dict[str, object] | None, container: str) -> str | None:
    """After the server ended a follow stream: why the log is complete, or None when more will come (the
    container still runs, or will be restarted) and the stream should resume."""
    if pod is None:
        return "pod deleted"
    spec = _mapping(pod.get("spec"))
    phase = _mapping(pod.get("status")).get("phase")
    state = _container_state(pod, container)
    if "running" in state:
        return None
    terminated = _mapping(state.get("terminated"))
    if terminated:
        code = terminated.get("exitCode")
        restart = spec.get("restartPolicy") or "Always"
        final = phase in ("Succeeded", "Failed") or restart == "Never" or (restart == "OnFailure" and code == 0)
        if final or _mapping(pod.get("metadata")).get("deletionTimestamp"):
            return f"container exited ({terminated.get('reason') or 'Terminated'}, exit code {code})"
        return None
    if phase in ("Succeeded", "Failed"):
        return f"pod {str(phase).lower()}"
    return None


def restart_reason(pod: dict[str, object] | None, container: str) -> str | None:
    """After a follow stream ended and `end_verdict` said more will come: why the container does not run now (it
    exited and waits to be restarted, e.g. in CrashLoopBackOff), or None when it runs (the stream just resumes)."""
    if pod is None:
        return None
    state = _container_state(pod, container)
    if "running" in state:
        return None
    waiting = _mapping(state.get("waiting"))
    if waiting:
        return str(waiting.get("reason") or "waiting to restart")
    terminated = _mapping(state.get("terminated"))
    if terminated:
        return f"exited ({terminated.get('reason') or 'Terminated'}, exit code {terminated.get('exitCode')})"
    return None


def runs_a_newer_container(pod: dict[str, object] | None, container: str, last_line_ns: int | None) -> bool:
    """After a follow stream ended and the pod says the container runs: whether that is a new run, started after
    the last line received (the kubelet restarted it before the stream looked). `startedAt` has whole seconds, so
    only a start in a later second than that line counts; the same second is taken for the run already followed."""
    if pod is None or last_line_ns is None:
        return False
    running = _mapping(_container_state(pod, container).get("running"))
    started = running.get("startedAt")
    started_ns = timestamp_ns(started.encode()) if isinstance(started, str) else None
    return started_ns is not None and started_ns // 1_000_000_000 > last_line_ns // 1_000_000_000


def restart_count(pod: dict[str, object] | None, container: str) -> int | None:
    """How many times the kubelet has restarted the container, or None when the pod does not say."""
    count = _container_status(pod, container).get("restartCount") if pod is not None else None
    return count if isinstance(count, int) else None


def _container_state(pod: dict[str, object], container: str) -> dict[str, object]:
    return _mapping(_container_status(pod, container).get("state"))


def _container_status(pod: dict[str, object], container: str) -> dict[str, object]:
    status = _mapping(pod.get("status"))
    statuses = [
        _mapping(s)
        for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
        for s in _sequence(status.get(key))
    ]
    return next((s for s in statuses if s.get("name") == container), {})


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _sequence(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def classify_refusal(status: int, message: str, previous: bool) -> str:
    """What a refused log request means: `waiting` (the container is starting; ask again), `ended` (asking again
    will not help), or `retry` (a server-side failure that may pass)."""
    if status >= 500 and "no logs found" not in message and "log target not found" not in message:
        return "retry"
    if status == 400 and ("waiting to start" in message or "PodInitializing" in message):
        return "waiting"
    if status == 400 and previous and "not found" in message:
        return "ended"
    if status in (408, 429):
        return "retry"
    return "ended"
