"""What `nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits` printed in a
pod, read as hostile text (the pod's image chose the program), and a pod's GPU state as the columns show it.

The real nvidia-smi prints one line per GPU (`37, 1024, 15360`), and `[N/A]` or `[Not Supported]` for a field it
cannot read (MIG slices, some cards). Anything else on a line (garbage, a header, negative or absurd figures) makes
that field unknown or the line skipped; a reading without one readable line is a problem, never an exception.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

QUERY = ("utilization.gpu", "memory.used", "memory.total")
COMMAND = (
    "nvidia-smi",
    f"--query-gpu={','.join(QUERY)}",
    "--format=csv,noheader,nounits",
)
LONGEST_OUTPUT = 64 * 1024  # a node has at most 16 GPUs (~30 bytes a line); more is not nvidia-smi's answer
MOST_GPUS = 64
_LONGEST_LINE = 256
_MOST_MIB = 1 << 30  # 1 PiB of VRAM: larger is garbage
_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
_NOT_KNOWN = {"[n/a]", "n/a", "[not supported]", "[unknown error]", "[insufficient permissions]", "[gpu is lost]"}


@dataclass(frozen=True)
class Gpu:
    utilization: int | None  # percent, 0..100
    memory_used: int | None  # MiB
    memory_total: int | None  # MiB


@dataclass(frozen=True)
class GpuUse:
    """One reading of a pod's GPUs."""

    gpus: tuple[Gpu, ...]

    @property
    def percent(self) -> int | None:
        """The mean utilisation, rounded up (0 only when every GPU is at 0); None when any GPU's is unknown."""
        values = [gpu.utilization for gpu in self.gpus]
        if not values or any(value is None for value in values):
            return None
        return math.ceil(sum(v for v in values if v is not None) / len(values))

    @property
    def memory_used(self) -> int | None:
        return _sum([gpu.memory_used for gpu in self.gpus])

    @property
    def memory_total(self) -> int | None:
        return _sum([gpu.memory_total for gpu in self.gpus])


def _sum(values: list[int | None]) -> int | None:
    return None if not values or any(v is None for v in values) else sum(v for v in values if v is not None)


class _Garbage(Exception):
    """A field that is neither a figure nor nvidia-smi's own "cannot say": the line is not its output."""


def _field(text: str, most: int) -> int | None:
    """A figure; None for nvidia-smi's own "cannot say" words (`[N/A]`, `[Not Supported]`)."""
    text = text.strip()
    if text.lower() in _NOT_KNOWN:
        return None
    if not _NUMBER.fullmatch(text):  # also a negative figure: nvidia-smi never prints one
        raise _Garbage
    value = round(float(text))
    if value > most:
        raise _Garbage
    return value


def parse_gpu_line(line: str) -> Gpu | None:
    """One line, or None when it is not one of nvidia-smi's (the wrong number of fields, words, negative figures)."""
    fields = line.split(",")
    if len(line) > _LONGEST_LINE or len(fields) != len(QUERY):
        return None
    try:
        utilization, used, total = _field(fields[0], 100), _field(fields[1], _MOST_MIB), _field(fields[2], _MOST_MIB)
    except _Garbage:
        return None
    if used is not None and total is not None and used > total:
        used = total = None  # more used than there is: neither figure can be trusted
    return Gpu(utilization, used, total)


def parse_nvidia_smi(output: bytes) -> GpuUse | None:
    """The GPUs nvidia-smi listed, or None when not one line of `output` reads as its answer."""
    text = output[:LONGEST_OUTPUT].decode("utf-8", errors="replace")
    gpus = [gpu for line in text.splitlines()[: MOST_GPUS * 2] if line.strip() and (gpu := parse_gpu_line(line))]
    return GpuUse(tuple(gpus[:MOST_GPUS])) if gpus else None


# ---------------------------------------------------------------- a pod's GPU state, as the columns show it

NO_NVIDIA_SMI = "no nvidia-smi"


@dataclass(frozen=True)
class GpuState:
    use: GpuUse | None = None
    problem: str = ""  # why there is no reading, in a few words: "no nvidia-smi", "exec forbidden", ...
    detail: str = ""  # the full words (the detail panel shows them)
    idle: bool = False  # every GPU at 0% for IDLE_AFTER_S

    @property
    def final(self) -> bool:
        """Not asked again: the image has no nvidia-smi (it will not grow one)."""
        return self.problem == NO_NVIDIA_SMI


def gpu_percent_text(state: GpuState | None) -> str:
    """GPU% cell: `37%`, `idle GPU`, `n/a (no nvidia-smi)`, `n/a` (unreadable); blank before the first reading."""
    if state is None:
        return ""
    if state.use is None:
        return f"n/a ({state.problem})" if state.problem else "n/a"
    if state.idle:
        return "idle GPU"
    percent = state.use.percent
    return "n/a" if percent is None else f"{percent}%"


def vram_text(state: GpuState | None) -> str:
    """VRAM cell: used/total in GiB (`1.0/15G`), `n/a` when unknown."""
    if state is None or state.use is None:
        return "" if state is None else "n/a"
    used, total = state.use.memory_used, state.use.memory_total
    if used is None or total is None:
        return "n/a"
    return f"{used / 1024:.1f}/{total / 1024:.0f}G"
