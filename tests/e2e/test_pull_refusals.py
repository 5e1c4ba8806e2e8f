"""A pull that refused some entries (links leading out of the results) says so on its progress screen: not the
plain green "done", but how many entries were refused and which. The refusals themselves, through the services:
tests/integration/test_pull_safety.py."""

from __future__ import annotations

from pathlib import Path

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import pod_with_root, wait_pod_phase
from tests.support.stack import StackEnv


def results_with_a_link_out(root: Path, link: str) -> Path:
    out = root / "out"
    out.mkdir(parents=True)
    (out / "metrics.json").write_text('{"loss": 0.1}\n')
    (out / "up").symlink_to(link)
    return out


async def test_a_pull_that_refused_a_link_says_how_many_entries_were_refused_and_which(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from textual.widgets import Input, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    out = results_with_a_link_out(tmp_path / "pod", "..")  # inside the pod's out, beside the results once pulled
    pod_with_root(stack, namespace, tmp_path / "pod")
    local = tmp_path / "results" / "exp"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = str(out)
        app.screen.query_one("#field-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
        status = app.screen.query_one("#copy-status", Static)
        assert str(status.content).startswith("done, 1 entry refused (listed below): 1 file"), status.content
        assert status.has_class("-refused") and not status.has_class("-done")
        listed = str(app.screen.query_one("#copy-current", Static).content)
        assert listed == "not written: out/up: symlink to .. leaves the destination", listed
        await pilot.press("escape")
    assert sorted(p.name for p in local.iterdir()) == ["metrics.json"]


async def test_pulling_several_pods_marks_the_one_whose_pull_refused_entries(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from textual.widgets import Input, Static

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.pull_many import PullManyScreen

    results_with_a_link_out(tmp_path / "pod-0", "/etc")
    (tmp_path / "pod-1" / "out").mkdir(parents=True)
    (tmp_path / "pod-1" / "out" / "metrics.json").write_text('{"loss": 0.2}\n')
    for index in range(2):
        pod_with_root(stack, namespace, tmp_path / f"pod-{index}", f"prep-{index}", wait=False)
    for index in range(2):
        wait_pod_phase(stack, namespace, f"prep-{index}")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "2 pods in namespace" in pods_info(app))
        await pilot.press("space", "space")
        await settle(pilot, lambda: "2 marked" in pods_info(app), what="2 pods marked")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = "out"  # each kwok pod runs in its own folder
        app.screen.query_one("#field-local", Input).value = str(tmp_path / "results")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PullManyScreen) and app.screen.finished, timeout=60)
        lines = {index: app.screen.query_one(f"#pod-{index}", Static) for index in range(2)}
        texts = [str(line.content) for line in lines.values()]
        refused = next(i for i, text in enumerate(texts) if "prep-0" in text)
        assert "done, 1 entry refused: 1 file" in texts[refused], texts
        assert "not written: out/up: symlink to /etc leaves the destination" in texts[refused], texts
        assert lines[refused].has_class("-refused") and not lines[refused].has_class("-done")
        assert "done: 1 file" in texts[1 - refused] and lines[1 - refused].has_class("-done"), texts
        summary = str(app.screen.query_one("#many-summary", Static).content)
        assert summary.startswith("2 of 2 pods pulled: 2 files") and "1 with entries refused" in summary, summary
        await pilot.press("escape")
