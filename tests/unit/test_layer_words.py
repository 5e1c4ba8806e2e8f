"""A pushed layer's "Mounted from" said in words: the repository it came from when the engine names it, else that
the registry already had it; text from the registry stays plain text on the progress screen."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import App
from textual.widgets import Label

from tui.models.images.image import ImageRef, LayeredProgress, LayerProgress, PushProgress
from tui.models.images.layer_words import layer_words
from tui.screens.images.layer_progress import LayerProgressScreen

HOSTILE = "Mounted from [bold red]evil[/] \x1b]52;c;eA==\x07"


def test_the_source_repository_is_named_when_the_engine_says_it() -> None:
    assert layer_words("Mounted from library/python") == "already in the registry: mounted from library/python"


def test_without_a_source_the_words_say_the_registry_had_it() -> None:
    assert layer_words("Mounted from") == "already in the registry (mounted from another repository)"
    assert layer_words("Mounted from  ") == "already in the registry (mounted from another repository)"


def test_other_statuses_pass_unchanged_and_controls_never_pass() -> None:
    assert layer_words("Layer already exists") == "Layer already exists"
    words = layer_words(HOSTILE)
    assert "\x1b" not in words and "\x07" not in words and "[bold red]evil[/]" in words


class _Snapshots:
    def __init__(self, snapshot: LayeredProgress) -> None:
        self.snapshot = snapshot

    def __iter__(self) -> Iterator[LayeredProgress]:
        yield self.snapshot

    def cancel(self) -> None:
        pass


async def test_a_hostile_status_is_drawn_as_typed() -> None:
    layer = LayerProgress("0123456789abcdef", HOSTILE, 0, None)
    snapshot = PushProgress(ImageRef.parse("127.0.0.1:5000/t/x:1"), (layer,), "", None)
    app: App[None] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(LayerProgressScreen("Push", lambda: _Snapshots(snapshot)))
        for _ in range(20):
            await pilot.pause(0.05)
            if app.screen.query(".layer > Label"):
                break
        drawn = str(app.screen.query_one(".layer > Label", Label).render())
        assert "mounted from [bold red]evil[/]" in drawn, drawn
