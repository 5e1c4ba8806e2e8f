"""The pod list's GPU readings in its model: kept by pod, sortable by GPU% and VRAM, dropped with their pod."""

from datetime import UTC, datetime

from tui.models.metrics.gpu import NO_NVIDIA_SMI, Gpu, GpuState, GpuUse
from tui.models.pods.row import PodRow
from tui.models.pods.table import PodTable

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def row(name: str, gpus: int = 1) -> PodRow:
    return PodRow("exp", name, "1/1", "Running", 0, T0, "", "kwok-node-0", "img", gpus=gpus)


def use(percent: int, used: int) -> GpuState:
    return GpuState(GpuUse((Gpu(percent, used, 16000),)))


def test_sorted_by_gpu_percent_and_vram_unknown_first() -> None:
    table = PodTable()
    table.replace_all([row("a"), row("b"), row("c"), row("cpu", gpus=0)])
    table.set_gpu("exp/a", use(80, 100))
    table.set_gpu("exp/b", use(10, 9000))
    table.set_gpu("exp/c", GpuState(problem=NO_NVIDIA_SMI))
    table.sort_by("GPU%")
    assert table.view == ["exp/c", "exp/cpu", "exp/b", "exp/a"]
    assert table.set_gpu("exp/b", use(95, 9000))  # the order moved: the caller redraws every line
    assert table.view[-1] == "exp/b"
    table.sort_by("VRAM", reverse=True)
    assert table.view[:2] == ["exp/b", "exp/a"]


def test_readings_of_pods_gone_are_dropped() -> None:
    table = PodTable()
    table.replace_all([row("a"), row("b")])
    table.set_gpu("exp/a", use(1, 1))
    table.set_gpu("exp/b", use(1, 1))
    assert not table.set_gpu("exp/zombie", use(1, 1)) and "exp/zombie" not in table.gpu  # gone while read
    table.apply({"exp/b": None})
    table.forget_gone()
    assert list(table.gpu) == ["exp/a"]
