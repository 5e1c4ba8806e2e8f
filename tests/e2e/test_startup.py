"""Start-up against the real local stack: the app's first screen (its pods listed and watched, both backends
checked) needs none of the kubernetes client's typed API classes, whose modules build hundreds of pydantic models
(CoreV1Api alone some 250, a quarter of a second). bench/startup.py measures what start-up costs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.support.pods import kwok_pod
from tests.support.stack import ROOT, StackEnv, apply


def test_the_first_screen_needs_no_typed_api_class(stack: StackEnv, namespace: str) -> None:
    """In a fresh interpreter (this one has imported everything): the app up, its pods listed and watched."""
    apply(stack, namespace, kwok_pod("exp"))
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from tests.support.app import make_app, pods_info, settle

        async def main():
            app = make_app({stack.kubeconfig!r}, {stack.docker_host!r}, namespace={namespace!r})
            async with app.run_test() as pilot:
                await settle(
                    pilot,
                    lambda: pods_info(app).startswith("1 pod in") and "live" in pods_info(app)
                    and app.cluster_health.is_up and app.engine_health.is_up,
                    what="the pod listed, both backends up",
                )
            print(" ".join(name for name in sys.modules if name.startswith("kubernetes.client.api.")))

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [], f"typed API classes imported for the first screen: {done.stdout}"
