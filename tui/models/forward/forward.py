"""A port-forward as plain values: what was asked (ForwardSpec), how it is now (ForwardStatus), and the events a
forward reports to whoever shows it. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from tui.models.units import human_bytes

EXPERIMENT_LABEL = "k8sx.dev/experiment"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ForwardSpec:
    """Forward `address:local_port` to `remote_port` of the Running pod of `experiment` (its label), else of the
    pod called `pod`: a re-created pod with the same experiment or name is followed."""

    namespace: str
    pod: str
    remote_port: int
    local_port: int
    address: str = LOOPBACK
    experiment: str = ""

    @property
    def target(self) -> str:
        return f"{self.namespace}/{self.experiment or self.pod}"

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.local_port}"

    @property
    def summary(self) -> str:
        return f"{self.url} → {self.target}:{self.remote_port}"


class State(Enum):
    STARTING = "starting"
    ACTIVE = "active"
    WAITING = "waiting for pod"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ForwardStatus:
    id: int
    spec: ForwardSpec
    state: State
    detail: str  # why it reconnects or failed; the pod it is on while active
    pod: str  # the pod carrying it now ("" while there is none)
    connections: int
    bytes_in: int  # from the pod
    bytes_out: int  # to the pod
    since: datetime
    last_error: str = ""  # the last forwarded connection's failure, in words
    errors: int = 0
    kept: bool = False  # comes back on the next start of the app

    @property
    def state_text(self) -> str:
        if self.state in (State.RECONNECTING, State.FAILED) and self.detail:
            return f"{self.state.value}: {self.detail}"
        return self.state.value


@dataclass(frozen=True)
class ForwardChanged:
    status: ForwardStatus


@dataclass(frozen=True)
class ConnectionFailed:
    """One forwarded connection failed (the forward goes on)."""

    forward_id: int
    text: str


ForwardEvent = ForwardChanged | ConnectionFailed

_DIAL = re.compile(r"dial tcp\d?\s+[^:]*:(\d+): connect: ([a-z ]+)")


def kubelet_words(text: str, port: int) -> str:
    """The kubelet's long error about one connection, shortened to what a user acts on."""
    text = " ".join(text.split())
    if found := _DIAL.search(text):
        reason = found.group(2).strip()
        hint = " (nothing listens there)" if reason == "connection refused" else ""
        return f"port {found.group(1)} in the pod: {reason}{hint}"
    if "connection refused" in text:
        return f"port {port} in the pod: connection refused (nothing listens there)"
    return text if len(text) <= 240 else text[:239] + "…"


def one_line(status: ForwardStatus) -> str:
    """A forward in one line, for the CLI's status: where it goes, its state, what goes through it."""
    pod = f" ({status.pod})" if status.pod and status.spec.experiment else ""
    conns = f"{status.connections} conn{'s' if status.connections != 1 else ''}"
    error = f" · last error: {status.last_error}" if status.last_error else ""
    return (
        f"{status.spec.summary} · {status.state_text}{pod} · {conns} · "
        f"in {human_bytes(status.bytes_in)} out {human_bytes(status.bytes_out)}{error}"
    )
