"""Keys that work alike on every screen of the real app (issue #18, first contact): Esc in a text field gives the
keys back, Home/End go to the first/last row of a table, and a modal form's field keeps Esc as cancel."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.forms import FormScreen
from tui.screens.common.help import HelpScreen, help_groups
from tui.screens.doctor.doctor import DoctorScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.images.push import PushScreen
from tui.screens.pods.pods import PodsScreen


async def go_to(pilot: Pilot[None], app: K8sxApp, key: str, screen: type[Screen[None]]) -> None:
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, screen), what=f"{screen.__name__} on {key}")


async def test_esc_in_a_push_field_gives_the_digits_and_help_back(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "5", PushScreen)
        source = app.screen.query_one("#push-source", Input)
        await pilot.press("tab")
        assert app.focused is source
        await pilot.press("a", "b", "1")  # in the field, a digit is text
        assert source.value == "ab1"
        await pilot.press("escape")
        assert app.focused is None, "Esc left the focus in the field"
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="? to open the help after Esc")
        assert "In a text field Esc leaves it" in str(app.screen.query_one("#help-hint", Static).content)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, PushScreen), what="the help to close")
        await pilot.press("escape")  # the second Esc: Push has none of its own, nothing happens
        assert isinstance(app.screen, PushScreen)
        await go_to(pilot, app, "1", PodsScreen)
        assert source.value == "ab1", "a key after Esc was typed into the field"


async def test_enter_on_push_goes_into_the_first_empty_field_and_the_screen_says_how(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "5", PushScreen)
        hint = str(app.screen.query_one("#push-hint", Static).content)
        assert hint.startswith("Enter (or Tab) goes into the fields, Esc leaves them")
        assert any(active.binding.id == "push.fill-in" for active in app.screen.active_bindings.values())
        await pilot.press("enter")
        source = app.screen.query_one("#push-source", Input)
        assert app.focused is source
        await pilot.press(*"busybox:1")
        assert source.value == "busybox:1" and app.current_mode == "push"
        await pilot.press("escape", "enter")  # the source is filled in: the next empty field
        assert app.focused is app.screen.query_one("#push-destination", Input)


async def test_esc_in_a_filter_or_a_field_with_its_own_esc_runs_it_and_leaves(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "4", ImagesScreen)
        box = app.screen.query_one("#images-filter", Input)
        await pilot.press("slash", "z", "z")
        assert app.focused is box and box.value == "zz"
        await pilot.press("escape")  # the screen's own Esc: clears the filter and goes back to the table
        assert box.value == "" and isinstance(app.focused, DataTable)
        await go_to(pilot, app, "7", DoctorScreen)
        registry = app.screen.query_one("#doctor-registry", Input)
        await pilot.press("e")
        assert app.focused is registry
        await pilot.press("escape")  # Doctor's Esc: back to the checks
        assert app.focused is not registry and app.focused is not None
        await go_to(pilot, app, "1", PodsScreen)


async def test_home_and_end_go_to_the_first_and_last_row_of_a_table_not_of_a_field(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "4", ImagesScreen)
        table = app.screen.query_one("#images", DataTable)
        await settle(pilot, lambda: table.row_count >= 3, what="a few local images listed")
        assert app.focused is table and table.cursor_row == 0
        shown = {entry.binding_id: entry.keys for group in help_groups("Images", app.screen.active_bindings, app)
                 for entry in group.entries}  # fmt: skip
        assert shown["screen.first-row"] == ["home"] and shown["screen.last-row"] == ["end"]
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 0
        await pilot.press("pageup")
        assert table.cursor_row == 0
        # In the filter field Home/End are the field's: its cursor moves, the table's does not.
        box = app.screen.query_one("#images-filter", Input)
        await pilot.press("slash", *"k8sx")
        await pilot.press("home")
        assert box.cursor_position == 0 and table.cursor_row == 0
        await pilot.press("end")
        assert box.cursor_position == len("k8sx")
        bindings = app.screen.active_bindings
        assert "home" not in bindings or bindings["home"].binding.id != "screen.first-row"


async def test_a_modal_forms_field_keeps_esc_as_cancel_and_keys_as_text(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "4", ImagesScreen)
        await pilot.press("ctrl+l")  # Pull…: a one-field form
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        field = app.screen.query_one("#field-reference", Input)
        assert app.focused is field
        field.value = ""
        await pilot.press("1", "question_mark", "b")
        assert field.value == "1?b" and isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="Esc to cancel the form")
        await go_to(pilot, app, "1", PodsScreen)
