"""Save an SVG of every screen of the real app, run against the local stack (tools/dev screenshots)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tui.app import MODE_INFOS, K8sxApp
from tui.backends import Backends
from tui.services.docker_engine import DockerService
from tui.services.kube import KubeService

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (140, 32)


async def _wait_for_data(app: K8sxApp) -> None:
    for _ in range(200):
        if app.cluster_health.is_up and app.engine_health.is_up and app.screen.query("#pods").first().row_count:
            return
        await asyncio.sleep(0.05)
    raise SystemExit("the local stack did not answer: run tools/stack up and tools/stack seed first")


async def main() -> None:
    kube = KubeService(os.environ["KUBECONFIG"], None, "default")
    app = K8sxApp(Backends(kube, DockerService(os.environ["DOCKER_HOST"])))
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_data(app)
        await pilot.pause(0.3)
        for info in MODE_INFOS:
            await pilot.press(info.key)
            await pilot.pause(0.3)
            app.save_screenshot(f"{info.name}.svg", str(OUT))
            print(OUT / f"{info.name}.svg")
        await pilot.press("1", "ctrl+p")
        await pilot.pause(0.5)
        app.save_screenshot("command-palette.svg", str(OUT))
        print(OUT / "command-palette.svg")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
