"""Quitting while a screen is still being set up: its mount and resume handlers may run after its widgets went.
That is no failure; once it ended the app with a Textual error (and a user's ctrl+q with a traceback)."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.app import SIZE, make_app
from tests.support.stack import StackEnv
from tui.app import MODE_INFOS


@pytest.mark.parametrize("mode", [info.name for info in MODE_INFOS])
async def test_quitting_as_a_screen_opens_ends_the_app_without_an_error(stack: StackEnv, mode: str) -> None:
    for turns in range(4):  # quit at each of the first turns of the event loop after asking for the screen
        app = make_app(stack.kubeconfig, stack.docker_host)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.05 * (turns % 2))
            app.call_later(app.switch_mode, mode)
            for _ in range(turns):
                await asyncio.sleep(0)
        # run_test re-raises what ended the app; the return code says it too
        assert app.return_code in (0, None), f"{mode}, quit after {turns} turns: return code {app.return_code}"
