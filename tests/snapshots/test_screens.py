"""Visual regression: every screen at a fixed size with fixed data; `pytest --snapshot-update` re-records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.snapshots.conftest import SIZE, still
from tests.support import settle
from tui.app import K8sxApp
from tui.screens.pods.pods import PodsScreen

Snap = Callable[..., bool]


def prepared(app: K8sxApp, *keys: str, theme: str | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(
            pilot,
            lambda: (
                app.cluster_health.is_up
                and app.engine_health.is_up
                and isinstance(app.screen, PodsScreen)
                and len(app.screen.table.view) > 0
            ),
            what="the fixed pod list",
        )
        if theme:
            app.theme = theme
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        still(app)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        pytest.param("pods", (), id="pods"),
        pytest.param("logs", ("2",), id="logs"),
        pytest.param("terminal", ("3",), id="terminal"),
        pytest.param("images", ("4",), id="images"),
        pytest.param("push", ("5",), id="push"),
        pytest.param("deploy", ("6",), id="deploy"),
        pytest.param("help", ("question_mark",), id="help"),
    ],
)
def test_screen(snap_compare: Snap, snapshot_app: K8sxApp, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=prepared(snapshot_app, *keys))


@pytest.mark.parametrize("theme", ["k8sx-dark", "k8sx-light", "k8sx-high-contrast", "k8sx-amber"])
def test_pod_list_in_theme(snap_compare: Snap, snapshot_app: K8sxApp, theme: str) -> None:
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=prepared(snapshot_app, theme=theme))
