"""Live GPU use in the pod list against the real stack: kwok GPU pods whose exec'd `nvidia-smi` is a stand-in printing
what the real one prints. GPU% and VRAM columns, `idle GPU` after the idle time at 0%, `n/a (no nvidia-smi)` once
(not asked again), hostile output, at most 4 execs at a time, and the detail panel's GPU sparkline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tui.models.metrics.history as history_module
import tui.screens.pods.pods as pods_module
import tui.services.metrics.gpu as gpu_module
from tests.e2e.test_pod_resources import cells, table_view
from tests.support.app import SIZE, make_app, settle
from tests.support.gpu_pods import gpu_pod_with_smi, resource_pod, set_answer
from tests.support.pods import manifest, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.screens.pods.detail import PodDetailScreen
from tui.screens.pods.pods import PodsScreen


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """nvidia-smi every second and idle after 5 s at 0% (the app's are 15 s and 10 minutes: the rules are the same)."""
    monkeypatch.setattr(pods_module, "GPU_EVERY_S", 1.0)
    monkeypatch.setattr(history_module, "IDLE_AFTER_S", 5.0)


@pytest.fixture
def smi_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each pod's GPUs were read (the real reads, counted)."""
    calls: dict[str, int] = {}
    real = gpu_module.read_gpus

    def counted(kube: Any, namespace: str, pod: str, container: str | None = None) -> Any:
        calls[pod] = calls.get(pod, 0) + 1
        return real(kube, namespace, pod, container)

    monkeypatch.setattr(gpu_module, "read_gpus", counted)
    return calls


async def test_gpu_columns_idle_flag_no_nvidia_smi_and_hostile_output(
    stack: StackEnv, namespace: str, tmp_path: Path, quick: None, smi_calls: dict[str, int]
) -> None:
    apply(
        stack,
        namespace,
        manifest(
            *gpu_pod_with_smi("trainer", tmp_path / "trainer", "37, 1024, 15360\n55, 2048, 15360\n"),
            *gpu_pod_with_smi("waiting", tmp_path / "waiting", "0, 500, 15360\n"),
            *gpu_pod_with_smi("odd", tmp_path / "odd", "[N/A], [Not Supported], 15360\n"),
            *gpu_pod_with_smi("junk", tmp_path / "junk", b"-5, x, \x1b[31m[red]boom[/]\n" + b"A" * 200_000),
            *resource_pod("plain", gpus=1, exec_dir=tmp_path),  # kwok's PATH: no nvidia-smi there
            *resource_pod("cpu-only", exec_dir=tmp_path),
        ),
    )
    for name in ("trainer", "waiting", "odd", "junk", "plain", "cpu-only"):
        wait_pod_phase(stack, namespace, name, timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: cells(app, "trainer").get("GPU%") == "46%", what="trainer's GPU%")
        assert cells(app, "trainer")["VRAM"] == "3.0/30G"  # 1024 + 2048 MiB of 2 x 15360
        assert "GPU%" in table_view(app).columns and "VRAM" in table_view(app).columns
        assert cells(app, "cpu-only")["GPU%"] == "" and "cpu-only" not in smi_calls  # asked for no GPU: no exec

        await settle(pilot, lambda: cells(app, "plain").get("GPU%") == "n/a (no nvidia-smi)", what="no nvidia-smi")
        asked = smi_calls["plain"]
        # nvidia-smi's own "cannot say" is unknown, not 0; garbage (and 200 KB of it) is a problem in words.
        await settle(pilot, lambda: cells(app, "odd").get("GPU%") == "n/a", what="[N/A] read as unknown")
        assert cells(app, "odd")["VRAM"] == "n/a"
        await settle(pilot, lambda: cells(app, "junk").get("GPU%") == "n/a (unreadable)", what="junk refused")
        assert "boom" not in cells(app, "junk")["GPU%"] and "\x1b" not in app.export_screenshot()

        # At 0% from the first reading on: flagged once the idle time has passed (5 s here, 10 minutes really).
        await settle(pilot, lambda: cells(app, "waiting").get("GPU%") == "idle GPU", what="the idle flag")
        assert cells(app, "trainer")["GPU%"] == "46%"  # busy: never idle
        # Busy again: the flag goes at the next reading.
        set_answer(tmp_path / "waiting", "12, 500, 15360\n")
        await settle(pilot, lambda: cells(app, "waiting").get("GPU%") == "12%", what="no longer idle")

        # The pod without nvidia-smi was asked once, not every tick since (a second or two of ticks have passed).
        assert smi_calls["plain"] == asked == 1, smi_calls
        assert smi_calls["trainer"] > 3

        # Sorted by GPU%: o steps through the columns on screen; the busiest last ascending.
        view = table_view(app)
        view.table.sort_by("GPU%")
        view.rows_changed()
        names = [view.table.rows[key].name for key in view.table.view]
        assert names.index("waiting") < names.index("trainer")


async def test_at_most_four_nvidia_smi_at_a_time(stack: StackEnv, namespace: str, tmp_path: Path, quick: None) -> None:
    log = tmp_path / "smi.log"
    pods = []
    for i in range(7):
        folder = tmp_path / f"g{i}"
        pods += gpu_pod_with_smi(f"g{i}", folder, "50, 1, 2\n", K8SX_SMI_LOG=str(log))
        (folder / "bin" / "delay").write_text("1.5\n")  # each answer takes 1.5 s: seven would overlap
    apply(stack, namespace, manifest(*pods))
    for i in range(7):
        wait_pod_phase(stack, namespace, f"g{i}", timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(
            pilot, lambda: all(cells(app, f"g{i}").get("GPU%") == "50%" for i in range(7)), what="every GPU read"
        )
        await pilot.pause(3.0)  # a few more rounds
    running, most = 0, 0
    for line in sorted(log.read_text().split("\n"), key=lambda line: line.split(" ")[-1] if line else ""):
        if line.startswith("start"):
            running += 1
        elif line.startswith("end"):
            running -= 1
        most = max(most, running)
    assert most == gpu_module.MOST_IN_FLIGHT, log.read_text()  # all the room used, never more


async def test_detail_shows_the_gpu_sparkline_live(
    stack: StackEnv, namespace: str, tmp_path: Path, quick: None
) -> None:
    apply(stack, namespace, manifest(*gpu_pod_with_smi("trainer", tmp_path / "t", "37, 1024, 15360\n")))
    wait_pod_phase(stack, namespace, "trainer", timeout=120)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: cells(app, "trainer").get("GPU%") == "37%", what="trainer's GPU%")
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, PodDetailScreen)
        seen = len(screen.sparkline("GPU").data or [])
        await settle(pilot, lambda: len(screen.sparkline("GPU").data or []) >= seen + 2, what="GPU samples, live")
        assert set(screen.sparkline("GPU").data or []) == {37}
        assert set(screen.sparkline("VRAM").data or []) == {1024}
        assert screen.figures("GPU").startswith("37% now (mean of 1 GPU) · 1 GPU asked for")
        assert screen.figures("VRAM") == "1.0/15G used now"
        set_answer(tmp_path / "t", "90, 4096, 15360\n")
        await settle(pilot, lambda: screen.figures("GPU").startswith("90% now"), what="the new reading drawn")
        assert (screen.sparkline("GPU").data or [])[-1] == 90

        # Back on the list, readings go on arriving (for the list now): the closed detail is left alone.
        await pilot.press("escape")
        assert isinstance(app.screen, PodsScreen)
        set_answer(tmp_path / "t", "11, 4096, 15360\n")
        await settle(pilot, lambda: cells(app, "trainer").get("GPU%") == "11%", what="the list's reading after Esc")
        await pilot.pause(2.0)  # two more readings
        assert isinstance(app.screen, PodsScreen) and app.is_running
