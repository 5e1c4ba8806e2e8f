"""The GPU poller's rules, with a stand-in reader: at most N execs at a time, one at a time per pod, a pod without
nvidia-smi not asked again (a new pod of the same name is), nothing delivered after close."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from tui.models.metrics.gpu import NO_NVIDIA_SMI, Gpu, GpuState, GpuUse
from tui.models.pods.row import PodRow
from tui.services.metrics.gpu import GpuPoller


def row(name: str, created: datetime | None = None) -> PodRow:
    when = created or datetime(2026, 1, 1, tzinfo=UTC)
    return PodRow("ns", name, "1/1", "Running", 0, when, "", "n", "img", gpus=1)


class Reader:
    def __init__(self, answers: dict[str, GpuState] | None = None, hold: float = 0.0) -> None:
        self.answers = answers or {}
        self.hold = hold
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.calls: list[str] = []
        self.release = threading.Event()

    def __call__(self, kube: Any, pod: PodRow) -> GpuState:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.calls.append(pod.name)
        self.release.wait(self.hold)
        with self.lock:
            self.running -= 1
        return self.answers.get(pod.name, GpuState(GpuUse((Gpu(5, 1, 2),))))


def wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_never_more_than_n_in_flight_and_one_per_pod() -> None:
    reader = Reader(hold=5.0)
    got: list[str] = []
    poller = GpuPoller(object(), lambda key, state: got.append(key), most=4, reader=reader)  # type: ignore[arg-type]
    try:
        pods = [row(f"p{i}") for i in range(10)]
        assert len(poller.poll(pods)) == 10
        wait(lambda: reader.running == 4)
        assert poller.poll(pods) == []  # all still being asked: none asked twice
        reader.release.set()
        wait(lambda: len(got) == 10)
        assert reader.most == 4 and sorted(reader.calls) == sorted(p.name for p in pods)
        assert poller.in_flight == 0
        assert len(poller.poll(pods)) == 10  # the next tick asks again
    finally:
        reader.release.set()
        poller.close()


def test_no_nvidia_smi_is_not_asked_again_until_a_new_pod() -> None:
    reader = Reader({"cpu-image": GpuState(problem=NO_NVIDIA_SMI)})
    got: list[GpuState] = []
    poller = GpuPoller(object(), lambda key, state: got.append(state), reader=reader)  # type: ignore[arg-type]
    try:
        assert poller.poll([row("cpu-image")]) == ["ns/cpu-image"]
        wait(lambda: len(got) == 1 and poller.in_flight == 0)
        assert got[0].problem == NO_NVIDIA_SMI
        assert poller.poll([row("cpu-image")]) == []
        assert poller.poll([row("cpu-image")]) == []
        recreated = row("cpu-image", datetime(2026, 2, 1, tzinfo=UTC))
        assert poller.poll([recreated]) == ["ns/cpu-image"]  # deleted and made again: maybe another image
        wait(lambda: len(got) == 2)
        poller.forget(lambda key: False)  # gone: nothing kept about it
        assert poller.poll([row("cpu-image")]) == ["ns/cpu-image"]
    finally:
        poller.close()


def test_a_reader_that_raises_is_a_state() -> None:
    def broken(kube: Any, pod: PodRow) -> GpuState:
        raise RuntimeError("boom")

    class Kube:
        def explain(self, exc: BaseException) -> str:
            return f"explained: {exc}"

    got: list[GpuState] = []
    poller = GpuPoller(Kube(), lambda key, state: got.append(state), reader=broken)  # type: ignore[arg-type]
    try:
        poller.poll([row("p")])
        wait(lambda: len(got) == 1)
        assert got[0].problem == "not read" and got[0].detail == "explained: boom" and not got[0].final
        wait(lambda: poller.in_flight == 0)
        assert poller.poll([row("p")]) == ["ns/p"]  # a passing trouble: asked again next time
    finally:
        poller.close()


def test_nothing_delivered_after_close() -> None:
    reader = Reader(hold=5.0)
    got: list[str] = []
    poller = GpuPoller(object(), lambda key, state: got.append(key), reader=reader)  # type: ignore[arg-type]
    poller.poll([row("p")])
    wait(lambda: reader.running == 1)
    poller.close()
    reader.release.set()
    time.sleep(0.2)
    assert got == [] and poller.poll([row("q")]) == []
