"""The modes' screens are imported when first shown (issue #24): what the app knows of them before that still works."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_settings_app import app_with, notes
from tests.support.app import SIZE, settle
from tests.support.stack import StackEnv
from tui.screens.pods.pods import PodsScreen


async def test_a_remap_of_a_mode_not_shown_yet_is_known_and_works_there(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    app = app_with(stack, namespace, tmp_path, "keymap:\n  images.delete: ctrl+x\n  logs.search: ctrl+f\n", {})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, PodsScreen), what="the pods screen")
        assert "keymap" not in notes(app)  # no "unknown binding id": the ids of the other modes are known
        await pilot.press("4")
        await settle(pilot, lambda: app.current_mode == "images", what="the images screen")
        bound = app.active_bindings
        assert "ctrl+d" not in bound and bound["ctrl+x"].binding.id == "images.delete"
