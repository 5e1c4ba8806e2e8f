"""Where `r` may put pulled results (issue #17): the form refuses a destination that must never be replaced (the home
folder, a link, a folder holding the current one), says why and keeps what was typed; `a/x/../dest` lands in
`a/dest`; the replace question says what it deletes. HOME and the working directory are the test's own folders.
The rules themselves, and the service's own refusal: tests/unit/test_destination.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import digests
from tests.support.pods import RESULTS_CLAIM, own_volume, pod_with_root, wait_pod_phase
from tests.support.stack import StackEnv, kubectl, wait_for
from tui.app import K8sxApp

__all__ = ["own_volume"]  # a fixture


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own holding something precious, with the working directory inside it."""
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    (home / "thesis.tex").write_text("years of work\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(home / "work")
    return home


def untouched(home: Path) -> bool:
    """Nothing in the home folder was deleted (kubectl may add its cache, ~/.kube)."""
    return (home / "thesis.tex").read_text() == "years of work\n" and (home / "work").is_dir()


def results_of(root: Path) -> Path:
    out = root / "out"
    out.mkdir(parents=True)
    for index in range(20):
        (out / f"shard-{index}.csv").write_text("x,y\n" * (index + 1))  # 840 bytes in all
    return out


def form_problem(app: K8sxApp) -> str:
    from textual.widgets import Label

    return str(app.screen.query_one("#form-problem", Label).content)


async def submit_refused(app: K8sxApp, pilot: object, local: str) -> str:
    """Type `local` as the destination, submit, and return what the form says (it stays open)."""
    from textual.pilot import Pilot
    from textual.widgets import Input, Label

    from tui.screens.common.forms import FormScreen

    assert isinstance(pilot, Pilot) and isinstance(app.screen, FormScreen)
    form = app.screen
    form.query_one("#form-problem", Label).update("")  # what an earlier submit said
    form.query_one("#field-local", Input).value = local
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: app.screen is not form or bool(form_problem(app)), what="the form's answer")
    assert app.screen is form, f"the form closed: {type(app.screen).__name__}"
    assert form.query_one("#field-local", Input).value == local  # nothing typed is lost
    return form_problem(app)


async def test_the_pull_form_refuses_the_home_folder_a_link_and_a_folder_holding_the_current_one(
    stack: StackEnv, namespace: str, tmp_path: Path, home: Path
) -> None:
    from textual.widgets import Input

    from tui.screens.common.forms import FormScreen

    out = results_of(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.bin").write_bytes(b"keep me")
    (tmp_path / "link").symlink_to(elsewhere)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = str(out)

        said = await submit_refused(app, pilot, "~")
        assert said == f"not replacing {home}: it is your home folder", said
        said = await submit_refused(app, pilot, str(tmp_path / "link"))
        assert said == f"not replacing {tmp_path / 'link'}: it is a symbolic link (name the folder itself)", said
        said = await submit_refused(app, pilot, "../..")  # relative to the working directory: the home's parent
        assert said == f"not replacing {tmp_path}: your home folder {home} is in it", said
        await pilot.press("escape")
    assert untouched(home)
    assert (tmp_path / "link").is_symlink() and (elsewhere / "data.bin").read_bytes() == b"keep me"


async def test_results_typed_as_a_x_dotdot_dest_land_in_a_dest_and_the_replace_question_counts_what_goes(
    stack: StackEnv, namespace: str, tmp_path: Path, home: Path
) -> None:
    from textual.widgets import Input, Label, Static

    from tui.screens.common.dialogs import ConfirmScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.copy_progress import CopyScreen

    out = results_of(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    (tmp_path / "a").mkdir()
    typed = f"{tmp_path}/a/x/../dest"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        for attempt in range(2):
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
            app.screen.query_one("#field-remote", Input).value = str(out)
            app.screen.query_one("#field-local", Input).value = typed
            await pilot.press("ctrl+s")
            if attempt == 1:  # there now: the question names the folder as it will be used, and what goes with it
                await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the replace question")
                question = str(app.screen.query_one("#question", Label).content)
                assert question.startswith(f"{tmp_path}/a/dest already exists: 20 files, 840B"), question
                assert f"Replace it with the pod's {out}?" in question, question
                await pilot.press("tab", "enter")  # Replace (the focus starts on Cancel)
            await settle(pilot, lambda: isinstance(app.screen, CopyScreen) and app.screen.finished, timeout=60)
            title = str(app.screen.query_one("#copy-title", Static).content)
            assert title.endswith(f"→ {tmp_path}/a/dest"), title
            status = str(app.screen.query_one("#copy-status", Static).content)
            assert status.startswith("done: 20 files"), status
            await pilot.press("escape")
            assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["dest"]  # no stray x, no partial folder
            assert digests(tmp_path / "a" / "dest") == digests(out)


async def test_several_marked_pods_are_not_pulled_over_the_home_folder(
    stack: StackEnv, namespace: str, tmp_path: Path, home: Path
) -> None:
    from textual.widgets import Input

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.pull_many import PullManyScreen

    for name in ("home", "other"):  # pulled into <folder>/home and <folder>/other
        results_of(tmp_path / "pods" / name)
        pod_with_root(stack, namespace, tmp_path / "pods" / name, name, wait=False)
    for name in ("home", "other"):
        wait_pod_phase(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "2 pods in namespace" in pods_info(app))
        await pilot.press("space", "space")
        await settle(pilot, lambda: "2 marked" in pods_info(app), what="2 pods marked")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-remote", Input).value = "out"  # each pod's own, relative to its folder
        said = await submit_refused(app, pilot, str(tmp_path))
        assert said == f"not replacing {home}: it is your home folder", said

        app.screen.query_one("#field-local", Input).value = f"{tmp_path}/many/x/../pulled"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PullManyScreen) and app.screen.finished, timeout=60)
    assert untouched(home)
    assert sorted(p.name for p in (tmp_path / "many").iterdir()) == ["pulled"]
    for name in ("home", "other"):
        assert digests(tmp_path / "many" / "pulled" / name) == digests(tmp_path / "pods" / name / "out")


async def test_a_pull_from_a_claim_is_not_put_over_the_home_folder(
    stack: StackEnv, namespace: str, tmp_path: Path, home: Path, own_volume: tuple[str, str]
) -> None:
    from textual.widgets import Input

    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.claims import ClaimsScreen

    _, storage_class = own_volume
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=RESULTS_CLAIM.format(storage_class=storage_class))
    wait_for(
        lambda: kubectl(stack, "get", "pvc", "results", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Bound",
        what="claim results Bound",
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ClaimsScreen) and bool(app.screen.rows), what="the claim")
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        app.screen.query_one("#field-image", Input).value = "busybox"
        said = await submit_refused(app, pilot, str(home))
        assert said == f"not replacing {home}: it is your home folder", said
        await pilot.press("escape")
    assert untouched(home)
    pods = kubectl(stack, "get", "pods", "-n", namespace, "-o", "name")
    assert pods == "", pods  # no helper pod was started for it
