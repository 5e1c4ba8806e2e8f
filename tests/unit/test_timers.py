"""A computed one-shot delay of a microsecond still fires (Textual's own one-shot timer skips a tick already past)."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App

from tui.screens.common.timers import call_after


@pytest.mark.parametrize("delay", [0.0, 1e-7, -0.5, 0.01])
async def test_a_computed_delay_fires_however_small(delay: float) -> None:
    fired = asyncio.Event()
    app: App[None] = App()
    async with app.run_test():
        call_after(app, delay, fired.set)
        await asyncio.wait_for(fired.wait(), 5)  # (Textual's own timer: never, or a ZeroDivisionError)
    assert fired.is_set()
