"""On a narrow terminal (80 columns) every screen's key stays in the tab strip, and a click on a tab still goes
there: the labels tighten (`1 Pods`, then `1 Pod`) instead of running off the edge."""

from __future__ import annotations

from tests.support.app import make_app, settle
from tests.support.stack import StackEnv
from tui.app import MODE_INFOS
from tui.widgets.screen_tabs import ScreenTabs


async def test_every_key_is_in_sight_at_80_columns_and_clicks_still_switch(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=(80, 24)) as pilot:
        strip = app.screen.query_one(ScreenTabs)
        await settle(pilot, lambda: str(strip.content).strip() != "", what="the tabs drawn")
        text = str(strip.content)
        assert len(text) + 2 <= 80, text
        for info in MODE_INFOS:
            assert f"{info.key} {info.title[:3]}" in text, (info.key, text)
        events_tab = text.index(f"{MODE_INFOS[-1].key} ")
        await pilot.click(ScreenTabs, offset=(events_tab + 2, 0))
        await settle(pilot, lambda: app.current_mode == MODE_INFOS[-1].name, what="a click on the last tab")

    wide = make_app(stack.kubeconfig, stack.docker_host)
    async with wide.run_test(size=(160, 24)):  # wide: the full labels
        text = str(wide.screen.query_one(ScreenTabs).content)
        assert all(f" {info.key} {info.title} " in text for info in MODE_INFOS), text
