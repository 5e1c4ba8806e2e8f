"""Every screen is reachable by its key and from the command palette."""

from __future__ import annotations

from tests.support import SIZE, StackEnv, make_app, settle
from tui.app import MODE_INFOS
from tui.widgets.screen_tabs import ScreenTabs


async def test_each_screen_has_a_visible_key_a_clickable_tab_and_a_palette_command(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        tabs = str(app.screen.query_one(ScreenTabs).content)
        for info in MODE_INFOS:
            assert f" {info.key} {info.title} " in tabs
            await pilot.press(info.key)
            await pilot.pause()
            assert app.current_mode == info.name
            assert app.screen.title == info.title
        await pilot.click(ScreenTabs, offset=(tabs.index(" 2 Logs ") + 2, 0))
        await settle(pilot, lambda: app.current_mode == "logs", what="a click on the Logs tab")
        await pilot.press("1")
        commands = [command.title for command in app.get_system_commands(app.screen)]
        for info in MODE_INFOS:
            assert f"Go to {info.title}  ({info.key})" in commands
        await pilot.press("ctrl+p")
        await pilot.press(*"go to deploy")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: app.current_mode == "deploy", what="palette switch to deploy")
