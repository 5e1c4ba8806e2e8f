"""The real app at 120x40 columns (issue #18, first contact): a ticked box differs from an unticked one in its
glyph, not only in colour (a marked pod too), and no footer key, form note or dialog line is cut at the screen's or
the dialog's edge."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Label
from textual.widgets._footer import FooterKey

from tests.e2e.test_pods_screen import create_pod, rendered_lines, rendered_row
from tests.support.app import make_app, settle
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.pods.pods import PodsScreen
from tui.widgets.tick_box import TickBox

SIZE = (120, 40)  # the terminal


async def open_images_form(pilot: Pilot[None], app: K8sxApp, key: str) -> FormScreen:
    await pilot.press("4")
    await settle(pilot, lambda: isinstance(app.screen, ImagesScreen), what="the Images screen")
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what=f"the form of {key}")
    assert isinstance(app.screen, FormScreen)
    return app.screen


def fully_inside(label: Label, form: FormScreen) -> bool:
    body = form.query_one(VerticalScroll).scrollable_content_region
    return body.x <= label.region.x and label.region.right <= body.right


async def test_a_ticked_box_has_another_glyph_than_an_unticked_one(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_images_form(pilot, app, "b")  # Build…: "No cache", unticked
        box = form.query_one("#field-nocache", TickBox)
        unticked = str(box.render())
        assert not box.value and "▐ ▌" in unticked and "X" not in unticked, unticked
        box.focus()
        await pilot.press("space")
        ticked = str(box.render())
        assert box.value and "▐X▌" in ticked, ticked
        await pilot.press("space")
        assert str(box.render()) == unticked


async def test_a_forms_note_wraps_inside_the_form(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_images_form(pilot, app, "I")  # Interactive build: "… install what you need, then C …"
        await pilot.pause()
        note = next(label for label in form.query(Label) if "install what you need" in str(label.content))
        assert fully_inside(note, form), f"note at {note.region}, form body {form.query_one(VerticalScroll).region}"
        assert note.region.height >= 2  # wrapped, not one cut line


async def test_a_tall_form_keeps_its_title_and_buttons_in_view_and_scrolls_only_its_fields(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_images_form(pilot, app, "b")  # Build…: the tallest form, taller than 40 rows
        await pilot.pause()
        screen = app.screen.region
        for part in (form.query_one(".form-title", Label), form.query_one("#ok"), form.query_one("#cancel")):
            assert screen.contains_region(part.region), f"{part} at {part.region}, screen {screen}"
        fields = form.query_one(VerticalScroll)
        assert fields.max_scroll_y > 0  # the fields scroll between them


async def test_a_choice_dialogs_long_problem_wraps_inside_the_dialog(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        problem = "no ports declared in default/a-pod-with-a-long-name: type one (REMOTE · LOCAL:REMOTE · ADDRESS:L:R)"
        app.push_screen(ChoiceScreen("Forward a port", [], problem=problem))
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the dialog")
        await pilot.pause()
        label = app.screen.query_one("#problem", Label)
        box = label.parent
        assert box is not None
        assert label.region.right <= box.content_region.right and label.region.height >= 2, label.region


async def test_every_footer_key_is_whole_at_120_columns(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, PodsScreen), what="the pod list")
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        palette = next(key for key in keys if key.has_class("-command-palette"))
        own = [key for key in keys if key is not palette]
        assert len(own) > 15  # the pod list has many keys: more than one row's worth at 120 columns
        cut = [key.description for key in own if key.region.right > palette.region.x or key.region.width == 0]
        assert not cut, f"cut or hidden at 120 columns: {cut}"
        assert len({key.region.y for key in own}) >= 2  # they wrapped onto a second row
        assert own[0].description == "Help"


async def test_a_confirm_dialogs_long_question_wraps_inside_the_dialog(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        question = "Run this fix? " + " ".join(f"--flag-{n}=value" for n in range(12))  # a long command line
        app.push_screen(ConfirmScreen(question, "Run"))
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the dialog")
        await pilot.pause()
        label = app.screen.query_one("#question", Label)
        box = label.parent
        assert box is not None
        assert label.region.right <= box.content_region.right and label.region.height >= 2, label.region


async def test_a_marked_pod_has_a_tick_not_only_a_colour(stack: StackEnv, namespace: str) -> None:
    for name in ("mark-a", "mark-b"):
        create_pod(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(rendered_lines(app)) > 2 and rendered_row(app, "mark-b") != "", what="pods")
        assert rendered_lines(app)[0].startswith("NAME")  # no marks: no room taken for them
        await pilot.press("space")  # marks mark-a, moves to mark-b
        lines = rendered_lines(app)
        assert lines[1].startswith("✓ mark-a") and lines[2].startswith("  mark-b"), lines[:3]
        assert lines[0].startswith("  NAME")  # the header stays over its columns
        await pilot.press("up", "space")  # unmarks mark-a
        assert rendered_lines(app)[1].startswith("mark-a")
