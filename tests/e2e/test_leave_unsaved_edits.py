"""Leaving the app (ctrl+q) with unsaved changes in the Deploy editor says so and offers to save them (the editor's
ctrl+w) or discard them; with nothing unsaved (a file opened, a template made, neither edited) it asks nothing more.
Other tests' interactive-build containers may run on the shared engine: the leave question may list them too."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input

from tests.e2e.test_deploy import fill_form, follow_text, open_deploy, tiny_pod
from tests.e2e.test_deploy_first_contact import open_file
from tests.e2e.test_leave_build_containers import question
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tests.support.state import own_state
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.common.leave import LeaveScreen

__all__ = ["own_state"]  # the fixture (autouse): state and cwd in a temporary folder

UNSAVED = "Unsaved changes in the Deploy editor ({}): quitting discards them; "


async def quit_asked(pilot: object, app: K8sxApp) -> str:
    """ctrl+q, then the leave question's text ("" when the app quit without one)."""
    await pilot.press("ctrl+q")  # type: ignore[attr-defined]
    asked = lambda: not app.is_running or isinstance(app.screen, LeaveScreen)  # noqa: E731
    await settle(pilot, asked, timeout=45, what="the leave question or the app gone")  # type: ignore[arg-type]
    return question(app) if app.is_running else ""


async def test_an_edited_file_is_named_on_leaving_and_save_writes_it_and_stays(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    path = own_state / "pod.yml"
    path.write_text(tiny_pod("first"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await open_file(pilot, app, path)
        await pilot.press("e", "end", "x")  # typed in the editor, not saved; the editor keeps the keys
        said = await quit_asked(pilot, app)
        assert UNSAVED.format(path) in said, said
        assert "Save changes stays and saves them (ctrl+w on the Deploy screen)." in said
        assert str(app.screen.query_one("#save", Button).label) == "Save changes"
        await pilot.click("#save")
        await settle(pilot, lambda: f"saved {path}" in follow_text(app), what="the edit saved")
        assert app.is_running and app.screen is screen
        assert path.read_text() == tiny_pod("first").replace("v1", "v1x", 1) == screen.editor.text

        said = await quit_asked(pilot, app)  # nothing unsaved now: quits, or asks only about others' containers
        assert "Unsaved" not in said, said
        if app.is_running:
            await pilot.click("#keep")
        await settle(pilot, lambda: not app.is_running, what="the app gone")


async def test_an_edited_template_is_the_new_manifest_saved_as_a_file_or_discarded(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await pilot.press("t")
        await fill_form(pilot, app, {"image": "127.0.0.1:5000/team/train:0.1"})
        await settle(pilot, lambda: "made from the template" in follow_text(app), what="the template's YAML")
        await pilot.press("e", "y")
        said = await quit_asked(pilot, app)
        assert UNSAVED.format("the new manifest") in said, said
        await pilot.click("#save")  # no file yet: ctrl+w's form asks where
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the save-as form")
        path = own_state / "new.yml"
        app.screen.query_one("#field-path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: f"saved {path}" in follow_text(app), what="saved as a file")
        assert path.read_text() == screen.editor.text and screen.editor.text.startswith("y")

        await pilot.press("e", "z")
        said = await quit_asked(pilot, app)
        assert UNSAVED.format(path) in said, said
        await pilot.click("#keep")  # Discard changes, quit (or Keep them running, quit: others' containers)
        await settle(pilot, lambda: not app.is_running, what="the app gone")
    assert path.read_text().startswith("y")  # the z discarded


async def test_a_file_opened_and_a_template_made_but_not_edited_leave_nothing_to_save(
    stack: StackEnv, namespace: str, own_state: Path
) -> None:
    path = own_state / "pod.yml"
    path.write_text(tiny_pod("first"))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        await open_file(pilot, app, path)
        assert screen.unsaved_changes() is None
        await pilot.press("t")
        await fill_form(pilot, app, {"image": "127.0.0.1:5000/team/train:0.1"})
        await settle(pilot, lambda: "made from the template" in follow_text(app), what="the template's YAML")
        said = await quit_asked(pilot, app)  # quits, or asks only about others' containers
        assert "Unsaved" not in said, said
        if app.is_running:
            await pilot.click("#keep")
        await settle(pilot, lambda: not app.is_running, what="the app gone")
