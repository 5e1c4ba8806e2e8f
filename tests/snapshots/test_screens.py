"""Visual regression: every screen at a fixed size with fixed data; `pytest --snapshot-update` re-records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.snapshots.conftest import AR_REGISTRY, SIZE, still
from tests.support.app import settle
from tui.app import K8sxApp
from tui.screens.doctor.doctor import DoctorScreen
from tui.screens.pods.pods import PodsScreen
from tui.themes import bundled_theme_dir

Snap = Callable[..., bool]
Step = Callable[[Pilot[None]], Awaitable[None]]
DEFAULT_THEME = "k8sx-dark"  # what test_screen draws in: test_pod_list_in_theme covers the other bundled themes
OTHER_THEMES = ["k8sx-light", "k8sx-high-contrast", "k8sx-amber"]


def prepared(app: K8sxApp, *keys: str, theme: str | None = None, then: Step | None = None) -> Step:
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
        assert app.theme == (theme or DEFAULT_THEME)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        if then is not None:
            await then(pilot)
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


def test_doctor_screen(snap_compare: Snap, snapshot_app: K8sxApp) -> None:
    """The checks of the fake Doctor (conftest.py) after typing an Artifact Registry host to check."""
    app = snapshot_app

    def doctor() -> DoctorScreen:
        assert isinstance(app.screen, DoctorScreen)
        return app.screen

    async def check_the_registry(pilot: Pilot[None]) -> None:
        await settle(pilot, lambda: isinstance(app.screen, DoctorScreen) and bool(doctor().checks), what="Doctor")
        await settle(pilot, lambda: not doctor().running, what="the first checks")
        await pilot.press("e")
        doctor().query_one("#doctor-registry", Input).value = AR_REGISTRY
        await pilot.press("enter")
        await settle(
            pilot, lambda: not doctor().running and len(doctor().checks) == 8, what="the checks with the registry"
        )

    assert snap_compare(app, terminal_size=SIZE, run_before=prepared(app, "7", then=check_the_registry))


@pytest.mark.parametrize("theme", OTHER_THEMES)
def test_pod_list_in_theme(snap_compare: Snap, snapshot_app: K8sxApp, theme: str) -> None:
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=prepared(snapshot_app, theme=theme))


def test_every_bundled_theme_has_a_snapshot() -> None:
    """The default theme through test_screen[pods], each other one through test_pod_list_in_theme."""
    bundled = {path.stem for path in bundled_theme_dir().glob("*.yaml")}
    assert bundled == {DEFAULT_THEME, *OTHER_THEMES}
