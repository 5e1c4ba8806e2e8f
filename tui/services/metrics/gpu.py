"""Live GPU use of a pod: nvidia-smi run in it over a short exec (no exporter needed in the cluster).

The command goes through `sh` first, with GKE's `/usr/local/nvidia/bin` (where GKE mounts nvidia-smi) added to the
image's PATH: images not built from CUDA's (python:slim + pip torch) do not have it in theirs. An image without a
shell gets nvidia-smi exec'd directly. No nvidia-smi either way is final for that pod (GpuState.final).

The output is bounded (LONGEST_OUTPUT) and an exec that hangs (a wedged driver) is cut after EXEC_TIMEOUT_S.
`GpuPoller` runs these for the pods on screen with at most MOST_IN_FLIGHT at a time, one per pod.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from tui.models.logs.safe_text import safe_text
from tui.models.metrics.gpu import COMMAND, LONGEST_OUTPUT, NO_NVIDIA_SMI, GpuState, parse_nvidia_smi
from tui.models.metrics.resources import GPU
from tui.models.pods.row import PodRow
from tui.services.exec.outcome import ExecFailed, ExecOutcome
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import KubeService

EXEC_TIMEOUT_S = 10.0
MOST_IN_FLIGHT = 4
_MISSING = "k8sx: no nvidia-smi"
# $0 is "sh"; "$@" the query's arguments, so nothing of them is parsed by the shell.
SCRIPT = (
    'PATH="$PATH:/usr/local/nvidia/bin"; '
    f'command -v nvidia-smi >/dev/null 2>&1 || {{ echo "{_MISSING}" >&2; exit 127; }}; '
    'exec nvidia-smi "$@"'
)
SHELL_COMMAND = ("sh", "-c", SCRIPT, "sh", *COMMAND[1:])

log = logging.getLogger(__name__)


class _NoShell(Exception):
    """The image has no `sh`: nvidia-smi is exec'd directly."""


def _not_found(words: str, program: str) -> bool:
    """A runtime's (runc's, kwok's) refusal to start `program`: `exec: "sh": executable file not found in $PATH`."""
    return f'"{program}"' in words and ("executable file not found" in words or "no such file or directory" in words)


def _shown(words: bytes | str, longest: int = 200) -> str:
    text = words.decode(errors="replace") if isinstance(words, bytes) else words
    line = next((line for line in text.splitlines() if line.strip()), "")
    return safe_text(line.strip()[:longest], colours=False)


@dataclass
class _Run:
    output: bytes
    outcome: ExecOutcome | None  # None: cut (too long, or no answer in time)
    problem: str = ""  # why it was cut, in a few words
    detail: str = ""


def _run(kube: KubeService, namespace: str, pod: str, command: tuple[str, ...], container: str | None) -> _Run:
    with heavy_imports():
        from tui.services.exec.stream import (
            open_exec,  # the kubernetes client: not at start (the pod list imports this)
        )

    stream = open_exec(kube, namespace, pod, command, container)
    late = threading.Event()

    def cut() -> None:
        late.set()
        stream.close()

    timer = threading.Timer(EXEC_TIMEOUT_S, cut)
    timer.daemon = True
    timer.start()
    output = bytearray()
    try:
        for chunk in stream.stdout():
            output += chunk
            if len(output) > LONGEST_OUTPUT:
                return _Run(
                    b"", None, "unreadable", f"more than {LONGEST_OUTPUT // 1024} KB of output: not nvidia-smi's"
                )
        outcome = stream.outcome()
    finally:
        timer.cancel()
        stream.close()
    if late.is_set():
        return _Run(b"", None, "no answer", f"nvidia-smi did not answer in {EXEC_TIMEOUT_S:.0f} s")
    return _Run(bytes(output), outcome)


def _state(run: _Run, program: str) -> GpuState:
    if run.outcome is None:
        return GpuState(problem=run.problem, detail=run.detail)
    outcome = run.outcome
    if _MISSING.encode() in outcome.stderr or _not_found(outcome.message, "nvidia-smi"):
        return GpuState(problem=NO_NVIDIA_SMI, detail="the image has no nvidia-smi (nor /usr/local/nvidia/bin)")
    if program == "sh" and _not_found(outcome.message, "sh"):
        raise _NoShell
    if not outcome.succeeded:
        said = _shown(outcome.stderr) or _shown(run.output) or _shown(outcome.message)
        return GpuState(problem="nvidia-smi failed", detail=said)
    use = parse_nvidia_smi(run.output)
    if use is None:
        return GpuState(problem="unreadable", detail=f"nvidia-smi's answer was not understood: {_shown(run.output)}")
    return GpuState(use=use)


def read_gpus(kube: KubeService, namespace: str, pod: str, container: str | None = None) -> GpuState:
    """One reading of the pod's GPUs (or why there is none, in words); never raises for the pod's own trouble."""
    try:
        try:
            return _state(_run(kube, namespace, pod, SHELL_COMMAND, container), "sh")
        except _NoShell:
            return _state(_run(kube, namespace, pod, COMMAND, container), "nvidia-smi")
    except ExecFailed as exc:
        words = str(exc)
        if _not_found(words, "nvidia-smi"):
            return GpuState(problem=NO_NVIDIA_SMI, detail=words)
        problem = "exec forbidden" if words.startswith("forbidden") else "exec failed"
        return GpuState(problem=problem, detail=_shown(words, 400))


def gpu_container(kube: KubeService, namespace: str, pod: str) -> str | None:
    """The first container of the pod that asks for GPUs (where nvidia-smi sees them); None: let the server pick."""
    response = kube.get(f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}", timeout=10)
    try:
        body = json.loads(response.data)
    finally:
        response.release_conn()
    for container in (body.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {} if isinstance(container, dict) else {}
        if any(GPU in (resources.get(side) or {}) for side in ("limits", "requests")):
            return str(container.get("name") or "") or None
    return None


def _containers(row: PodRow) -> int:
    """How many containers the pod has, from READY ("1/2"): one needs no name in the exec."""
    try:
        return int(row.ready.partition("/")[2])
    except ValueError:
        return 0


Reader = Callable[[KubeService, PodRow], GpuState]
_NEVER = object()  # no creation time is this: a pod never answered for finally


def read_row(kube: KubeService, row: PodRow) -> GpuState:
    container = gpu_container(kube, row.namespace, row.name) if _containers(row) != 1 else None
    return read_gpus(kube, row.namespace, row.name, container)


class GpuPoller:
    """Reads the GPUs of the pods it is given, at most `most` at a time and one at a time per pod; each reading goes
    to `deliver(key, state)` on a worker thread. A pod without nvidia-smi is not asked again (until it is a new
    pod of the same name)."""

    def __init__(
        self,
        kube: KubeService,
        deliver: Callable[[str, GpuState], object],
        most: int = MOST_IN_FLIGHT,
        reader: Reader = read_row,
    ) -> None:
        self._kube = kube
        self._deliver = deliver
        self._reader = reader
        self._executor = ThreadPoolExecutor(max_workers=most, thread_name_prefix="gpu-read")
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._final: dict[str, object] = {}  # key -> the pod's creation time when its answer was final
        self._said: dict[str, str] = {}  # key -> the last problem logged (logged once, not every 15 s)
        self._closed = False

    def poll(self, rows: Iterable[PodRow]) -> list[str]:
        """Ask these pods' GPUs (those not already being asked, nor final); the keys asked."""
        asked = []
        with self._lock:
            if self._closed:
                return []
            for row in rows:
                key = row.key
                if key in self._in_flight or self._final.get(key, _NEVER) == row.created:
                    continue
                self._in_flight.add(key)
                asked.append(key)
                self._executor.submit(self._read, row)
        return asked

    def _read(self, row: PodRow) -> None:
        key = row.key
        try:
            state = self._reader(self._kube, row)
        except Exception as exc:  # the pod's own object unreadable, the API gone: a state, not a thread's death
            state = GpuState(problem="not read", detail=self._kube.explain(exc))
            log.debug("reading the GPUs of %s failed", key, exc_info=exc)
        with self._lock:
            self._in_flight.discard(key)
            if state.final:
                self._final[key] = row.created
            said = self._said.get(key, "")
            self._said[key] = state.problem
            if self._closed:
                return
        if state.problem and state.problem != said:
            log.warning("GPUs of %s: %s (%s)", key, state.problem, state.detail)
        self._deliver(key, state)

    def forget(self, keep: Callable[[str], bool]) -> None:
        """Drop what is remembered about pods that are gone."""
        with self._lock:
            for memory in (self._final, self._said):
                for key in [key for key in memory if not keep(key)]:
                    del memory[key]

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
