"""Copy in (u on a pod) as `docker cp` does it, through the real API server (kwok runs the pod's commands on this
machine, in a temporary folder): a folder copied to a path the pod lacks becomes that path (no path/data), to a
folder it has goes into it; the pod is asked first and the final path is shown before anything is sent; the local
path starts empty and then at the last one copied into that pod, also in the next run of the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, Label, Static

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.transfer.copy_in_plan import CopyInPlanScreen
from tui.screens.transfer.copy_progress import CopyScreen


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered local paths in this test's state folder; the working directory elsewhere than the data."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")


def dataset(folder: Path) -> Path:
    for index in range(3):
        (folder / "shards" / f"part-{index}.csv").parent.mkdir(parents=True, exist_ok=True)
        (folder / "shards" / f"part-{index}.csv").write_text("x,y\n" * (index + 1))
    (folder / "README").write_text("measurements\n")
    return folder


async def open_plan(pilot: object, app: K8sxApp, local: str | None, remote: str) -> CopyInPlanScreen:
    """u, the form filled (local None: as it opened), then the plan screen once the pod has answered."""
    await pilot.press("u")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")  # type: ignore[arg-type]
    if local is not None:
        app.screen.query_one("#field-local", Input).value = local
    app.screen.query_one("#field-remote", Input).value = remote
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(
        pilot,  # type: ignore[arg-type]
        lambda: isinstance(app.screen, CopyInPlanScreen) and "asking the pod" not in plan_text(app),
        what="the pod's answer on the plan",
    )
    assert isinstance(app.screen, CopyInPlanScreen)
    return app.screen


def plan_text(app: K8sxApp) -> str:
    return str(app.screen.query_one("#plan-text", Label).content)


async def copied(pilot: object, app: K8sxApp) -> str:
    await settle(
        pilot,  # type: ignore[arg-type]
        lambda: isinstance(app.screen, CopyScreen) and app.screen.finished,
        timeout=60,
        what="the copy finished",
    )
    status = str(app.screen.query_one("#copy-status", Static).content)
    await pilot.press("escape")  # type: ignore[attr-defined]
    return status


async def test_a_folder_becomes_a_path_the_pod_lacks_goes_into_one_it_has_and_the_path_is_shown_first(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    (root / "persistent").mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    data = dataset(tmp_path / "local" / "data")
    into = root / "persistent" / "data"

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        assert app.screen.query_one("#field-local", Input).value == ""  # not the working directory
        await pilot.press("escape")

        # /persistent/data is not in the pod: the folder becomes it, and the plan says so before anything is sent.
        plan = await open_plan(pilot, app, str(data), str(into))
        text = plan_text(app)
        assert f"Copy 4 files, 37B from {data}\nto {namespace}/exp:{into}\n" in text, text
        assert f"no {into}/data" in text, text
        assert not into.exists()
        assert plan.focused is plan.query_one("#start", Button)
        await pilot.press("enter")
        status = await copied(pilot, app)
        assert status.startswith("done: 4 files") and f"→ {into}   (Esc: back)" in status, status
        assert digests(into) == digests(data)

        # The same again: now it is a folder in the pod, so the copy would go into it; the plan says it, Esc stops.
        await open_plan(pilot, app, None, str(into))
        assert app.screen.query_one("#start", Button).label.plain == "Copy"
        assert f"to {namespace}/exp:{into}/data\n" in plan_text(app), plan_text(app)
        assert "is a folder in the pod, so the folder data goes into it" in plan_text(app)
        await pilot.press("escape")
        assert not (into / "data").exists()

        # Into /persistent, which has data already: Replace, and Cancel has the focus.
        (data / "new.csv").write_text("z\n")
        plan = await open_plan(pilot, app, None, str(root / "persistent"))
        assert f"{into} is already there (a folder): it is replaced" in plan_text(app), plan_text(app)
        start = plan.query_one("#start", Button)
        assert start.label.plain == "Replace" and plan.focused is plan.query_one("#cancel", Button)
        await pilot.press("tab", "enter")
        assert (await copied(pilot, app)).startswith("done: 5 files")
        assert digests(into) == digests(data)

    again = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with again.run_test(size=SIZE) as pilot:  # the next run starts at the path last copied into this pod
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(again))
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(again.screen, FormScreen), what="the copy-in form")
        assert again.screen.query_one("#field-local", Input).value == str(data)


async def test_a_file_takes_the_name_typed_and_what_cannot_be_done_is_said_before_a_byte_is_sent(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    (root / "persistent").mkdir(parents=True)
    (root / "persistent" / "taken").write_text("a file\n")
    (root / "persistent" / "elsewhere").symlink_to("/etc")
    pod_with_root(stack, namespace, root)
    notes = tmp_path / "local" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("lr=0.1\n")
    data = dataset(tmp_path / "local" / "data")

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await open_plan(pilot, app, str(notes), str(root / "persistent" / "config.txt"))
        assert "is not in the pod yet: the file notes.txt is copied under that name" in plan_text(app)
        await pilot.press("enter")
        assert (await copied(pilot, app)).startswith("done: 1 file")
        assert (root / "persistent" / "config.txt").read_text() == "lr=0.1\n"

        await open_plan(pilot, app, str(notes), str(root / "persistent" / "fresh") + "/")
        assert "it is made a folder, with notes.txt in it" in plan_text(app), plan_text(app)
        await pilot.press("enter")
        await copied(pilot, app)
        assert (root / "persistent" / "fresh" / "notes.txt").read_text() == "lr=0.1\n"

        for remote, refusal in [
            (root / "persistent" / "taken", "taken is a file in the pod: a folder cannot be copied over it"),
            (root / "persistent" / "elsewhere", "elsewhere is a link to /etc: refused"),
        ]:
            await open_plan(pilot, app, str(data), str(remote))
            assert plan_text(app).startswith(f"Not copied: {root}/persistent/") and refusal in plan_text(app)
            assert app.screen.query_one("#start", Button).disabled
            await pilot.press("escape")
        assert (root / "persistent" / "taken").read_text() == "a file\n"

        await pilot.press("u")  # a local path that is not there is said on the form, which stays open
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        app.screen.query_one("#field-local", Input).value = str(tmp_path / "nowhere")
        await pilot.press("ctrl+s")
        problem = app.screen.query_one("#form-problem", Label)
        await settle(pilot, lambda: "does not exist here" in str(problem.content), what="the form's problem")
        assert isinstance(app.screen, FormScreen)
