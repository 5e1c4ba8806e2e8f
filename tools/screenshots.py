"""Save an SVG of every screen of the real app, run against the local stack (tools/dev screenshots)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tui.app import MODE_INFOS, K8sxApp
from tui.backends import Backends
from tui.screens.pods import PodsScreen
from tui.services.docker_engine import DockerService
from tui.services.kube import KubeService

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (140, 32)


async def _wait_for_data(app: K8sxApp) -> None:
    for _ in range(200):
        screen = app.screen
        if (
            app.cluster_health.is_up
            and app.engine_health.is_up
            and isinstance(screen, PodsScreen)
            and screen.table.view
        ):
            return
        await asyncio.sleep(0.05)
    raise SystemExit("the local stack did not answer: run tools/stack up and tools/stack seed first")


def save(app: K8sxApp, name: str) -> None:
    app.save_screenshot(f"{name}.svg", str(OUT))
    print(OUT / f"{name}.svg")


async def main() -> None:
    kube = KubeService(os.environ["KUBECONFIG"], None, "default")
    app = K8sxApp(Backends(kube, DockerService(os.environ["DOCKER_HOST"])))
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_data(app)
        await pilot.pause(0.3)
        for info in MODE_INFOS:
            await pilot.press(info.key)
            await pilot.pause(0.3)
            save(app, info.name)
        await pilot.press("1", "d")
        await pilot.pause(0.8)
        save(app, "pod-describe")
        await pilot.press("escape", "y")
        await pilot.pause(0.8)
        save(app, "pod-yaml")
        await pilot.press("escape", "ctrl+d")
        await pilot.pause(0.5)
        save(app, "pod-delete-confirm")
        await pilot.press("escape", "slash", *"shard")
        await pilot.pause(0.5)
        save(app, "pod-filter")
        await pilot.press("escape", "ctrl+p")
        await pilot.pause(0.5)
        save(app, "command-palette")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
