"""What each pod used over the last 15 minutes, sampled while the app runs (kept in memory only): the detail panel's
sparklines, and whether a pod's GPUs have sat idle.

Bounded: at most MAX_SAMPLES per series, none older than WINDOW_S, and only pods said to be alive (`retain`). The
pod list's worker records every metrics reading here (10,000 pods every 15 s) while the UI thread reads one pod's
series: a lock keeps the two apart. Samples are packed in arrays (12 bytes each), not Python objects, so 10,000
pods' 15 minutes stay near 10 MB.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from tui.models.metrics.usage import Usage

WINDOW_S = 15 * 60.0
MAX_SAMPLES = 128  # one a 15 s over the window is 60; room for the extra readings a namespace switch or resume asks
IDLE_AFTER_S = 10 * 60.0  # GPUs at 0% this long: flagged "idle GPU" (an allocated GPU costs money)
LONGEST_GAP_S = 50.0  # two GPU samples further apart than this (the pod was off screen): idleness not seen, restarted
UNKNOWN = -1  # a figure the server left unreadable, in an array of non-negative ones
_LARGEST = 2**31 - 1  # what a 4-byte column holds: 2 million cores, 2 TiB (memory is kept in KiB)


class Series:
    """(time, values...) samples in 4-byte arrays, oldest first; `time` is seconds on a monotonic clock, kept as
    seconds since `origin` (a float32 stays exact to a few ms for days)."""

    __slots__ = ("origin", "times", "values")

    def __init__(self, columns: int, origin: float) -> None:
        self.origin = origin
        self.times = array("f")
        self.values = tuple(array("i") for _ in range(columns))

    def add(self, now: float, *values: int) -> None:
        at = now - self.origin
        if self.times and at < self.times[-1]:
            return  # a reading that took longer than the next one: its place in time is already past
        self.times.append(at)
        for column, value in zip(self.values, values, strict=True):
            column.append(min(value, _LARGEST))
        self.trim(now)

    def newest(self) -> float:
        return self.times[-1] + self.origin if self.times else float("-inf")

    def oldest(self) -> float:
        return self.times[0] + self.origin if self.times else float("inf")

    def trim(self, now: float) -> None:
        """Drop what is older than the window, and the oldest beyond MAX_SAMPLES."""
        drop = max(0, len(self.times) - MAX_SAMPLES)
        while drop < len(self.times) and self.times[drop] < now - self.origin - WINDOW_S:
            drop += 1
        if drop:
            del self.times[:drop]
            for column in self.values:
                del column[:drop]

    def column(self, index: int, scale: int = 1) -> list[int]:
        """One column's known values, oldest first (unknown ones are left out, not drawn as 0)."""
        return [value * scale for value in self.values[index] if value != UNKNOWN]

    def __len__(self) -> int:
        return len(self.times)


@dataclass(frozen=True)
class PodHistory:
    """One pod's samples over the window, oldest first, as plain lists (a copy: safe to draw from)."""

    cpu_m: list[int]
    memory: list[int]  # bytes (kept in KiB, rounded up)
    gpu_percent: list[int]  # the mean over the pod's GPUs, rounded up (0 only when every one is at 0)
    vram_used: list[int]  # MiB, summed over its GPUs
    samples: int  # metrics readings that had this pod
    span_s: float  # from the oldest sample to now


class _Pod:
    __slots__ = ("gpu", "usage")

    def __init__(self, origin: float) -> None:
        self.usage = Series(2, origin)  # cpu_m, memory (KiB)
        self.gpu: Series | None = None  # gpu %, vram used MiB: only for pods nvidia-smi answered for

    def series(self) -> list[Series]:
        return [self.usage] if self.gpu is None else [self.usage, self.gpu]


def _known(value: int | None, unit: int = 1) -> int:
    return UNKNOWN if value is None or value < 0 else -(-value // unit)


class UsageHistory:
    def __init__(self, origin: float = 0.0) -> None:
        """`origin`: a time on the clock the samples will be given in, near their first (time.monotonic())."""
        self._origin = origin
        self._pods: dict[str, _Pod] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pods)

    def _pod(self, key: str) -> _Pod:
        pod = self._pods.get(key)
        if pod is None:
            pod = self._pods[key] = _Pod(self._origin)
        return pod

    def record_usage(self, usage: Mapping[str, Usage], now: float) -> None:
        """One metrics reading: a sample for each pod in it."""
        with self._lock:
            for key, figures in usage.items():
                self._pod(key).usage.add(now, _known(figures.cpu_m), _known(figures.memory, 1024))

    def record_gpu(self, key: str, percent: int | None, vram_used: int | None, now: float) -> None:
        """One nvidia-smi reading of a pod's GPUs."""
        with self._lock:
            pod = self._pod(key)
            if pod.gpu is None:
                pod.gpu = Series(2, self._origin)
            pod.gpu.add(now, _known(percent), _known(vram_used))

    def retain(self, alive: Callable[[str], bool], now: float) -> None:
        """Forget the pods that are gone (`alive` says no) and those with nothing left in the window."""
        with self._lock:
            for key in list(self._pods):
                if not alive(key) or max(s.newest() for s in self._pods[key].series()) < now - WINDOW_S:
                    del self._pods[key]

    def forget(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._pods.pop(key, None)

    def of(self, key: str, now: float) -> PodHistory:
        with self._lock:
            pod = self._pods.get(key)
            if pod is None:
                return PodHistory([], [], [], [], 0, 0.0)
            for series in pod.series():
                series.trim(now)
            oldest = min((s.oldest() for s in pod.series() if s), default=now)
            gpu = pod.gpu
            return PodHistory(
                pod.usage.column(0),
                pod.usage.column(1, 1024),
                gpu.column(0) if gpu else [],
                gpu.column(1) if gpu else [],
                len(pod.usage),
                now - oldest,
            )

    def gpu_idle_for(self, key: str) -> float:
        """How long the pod's GPUs have sat at 0% without a break in the samples (0.0: busy, unknown or unseen)."""
        with self._lock:
            pod = self._pods.get(key)
            if pod is None or not pod.gpu:
                return 0.0
            times, percents = pod.gpu.times, pod.gpu.values[0]
            newest = len(times) - 1
            if percents[newest] != 0:
                return 0.0
            first = newest
            while first > 0 and percents[first - 1] == 0 and times[first] - times[first - 1] <= LONGEST_GAP_S:
                first -= 1
            return times[newest] - times[first]

    def gpu_idle(self, key: str) -> bool:
        return self.gpu_idle_for(key) >= IDLE_AFTER_S


assert IDLE_AFTER_S < WINDOW_S, "idleness is read from the samples the window keeps"
