"""Questions and choices show names and paths exactly as they are: a context, shell or folder name holding
markup-like brackets is text, never styling (and never a markup error)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label, OptionList

from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen

HOSTILE = "[bold red]x[/] and [link=https://example.invalid]here[/link] and [/"


async def test_a_confirm_question_shows_brackets_as_typed() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.push_screen(ConfirmScreen(f"Delete {HOSTILE}?"))
        await pilot.pause()
        label = app.screen.query_one("#question", Label)
        assert str(label.render()) == f"Delete {HOSTILE}?"


async def test_a_choice_title_and_its_choices_show_brackets_as_typed() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.push_screen(ChoiceScreen(f"Context {HOSTILE}", [HOSTILE, "plain"], None))
        await pilot.pause()
        assert str(app.screen.query(Label).first().render()) == f"Context {HOSTILE}"
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt) == HOSTILE
