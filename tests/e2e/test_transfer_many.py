"""Results from several marked pods (a fan-out) are pulled one after another into ./results/<pod>, each with its
own progress line, and a summary; every result set byte-identical to its pod's."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import pod_with_root, wait_pod_phase
from tests.support.stack import StackEnv


async def test_five_marked_fanout_pods_give_five_result_sets(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.pull_many import PullManyScreen

    outs = {}
    for index in range(5):
        out = tmp_path / f"pod-{index}" / "out"
        (out / "shards").mkdir(parents=True)
        for shard in range(20):
            (out / "shards" / f"{shard:02d}.csv").write_text(f"{index},{shard}\n" * (shard + index + 1))
        (out / "model.bin").write_bytes(os.urandom(1_000_000 + index))
        name = f"prep-{index}"
        labels = {"k8sx.dev/fanout": "prep", "k8sx.dev/index": str(index)}
        pod_with_root(stack, namespace, tmp_path / f"pod-{index}", name, labels, wait=False)
        outs[name] = out
    for name in outs:
        wait_pod_phase(stack, namespace, name)
    results = tmp_path / "results"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "5 pods in namespace" in pods_info(app))
        for _ in range(5):
            await pilot.press("space")  # marks the pod and moves down
        await settle(pilot, lambda: "5 marked" in pods_info(app), what="5 pods marked")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        # Each kwok pod's exec runs in its own folder, so "out" (relative) names each pod's own results.
        app.screen.query_one("#field-remote", Input).value = "out"
        app.screen.query_one("#field-local", Input).value = str(results)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PullManyScreen) and app.screen.finished, timeout=120)
        screen = app.screen
        summary = str(screen.query_one("#many-summary", Static).content)
        lines = [str(screen.query_one(f"#pod-{index}", Static).content) for index in range(5)]
        assert summary.startswith("5 of 5 pods pulled: 105 files"), (summary, lines)
        for index in range(5):
            line = str(screen.query_one(f"#pod-{index}", Static).content)
            assert "done: 21 files" in line and "checked (sha256)" in line, line
        await pilot.press("escape")
    assert sorted(p.name for p in results.iterdir()) == sorted(outs)
    for name, out in outs.items():
        assert digests(results / name) == digests(out), name
