"""Text a server or a pod chose, shown outside the Logs screen (describe output, events and reasons on the Deploy
panel), is drawn as text: no escape sequence or control character reaches the terminal, the lines stay lines."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from tui.models.logs.safe_text import safe_lines
from tui.screens.common.text_view import TextViewScreen
from tui.screens.deploy.text import shown

HOSTILE = "reset \x1bc clip \x1b]52;c;eA==\x07 bell \x07 csi \u009b2J [bold]x[/]\r"


def test_several_lines_keep_their_breaks_and_lose_their_controls() -> None:
    assert safe_lines(f"Name: exp\nAnnotations: note={HOSTILE}\n") == (
        "Name: exp\nAnnotations: note=reset ␛c clip ␛]52;c;eA==␇ bell ␇ csi \\x9b2J [bold]x[/]\n"
    )


def test_the_deploy_panel_words_are_markup_safe_and_harmless() -> None:
    words = shown(HOSTILE)
    assert "\x1b" not in words and "\x07" not in words and "\u009b" not in words
    assert "\\[bold]" in words  # shown as typed, not as markup


async def test_describe_output_with_escape_sequences_is_drawn_as_text() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.push_screen(TextViewScreen("Describe pod t/exp", f"Annotations:  note={HOSTILE}\nStatus: Running"))
        await pilot.pause()
        drawn = str(app.screen.query_one("#text", Static).render())
        assert "␛c" in drawn and "Status: Running" in drawn
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in drawn), repr(drawn)
