"""Every screen is reachable by its key and from the command palette."""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, TabbedContent, TextArea

from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv
from tui.app import MODE_INFOS
from tui.screens.deploy.deploy import DeployScreen
from tui.screens.doctor.doctor import DoctorScreen
from tui.screens.events.events import EventsScreen
from tui.screens.forward.forwards import ForwardsScreen
from tui.screens.images.images import ImagesScreen
from tui.screens.images.push import PushScreen
from tui.screens.logs.logs import LogsScreen
from tui.screens.nodes.nodes import NodesScreen
from tui.screens.pods.pods import PodsScreen
from tui.screens.runs.runs import RunsScreen
from tui.screens.terminal.terminal import TerminalScreen
from tui.widgets.log_view import LogView
from tui.widgets.pod_table import PodTableView
from tui.widgets.run_table import RunTableView
from tui.widgets.screen_tabs import ScreenTabs

# Written down here, not read back from the app: each key, its mode and tab title, the screen class that must
# answer it, and a widget only that screen composes (a placeholder screen with the right title has neither).
SCREENS: list[tuple[str, str, str, type[Screen[None]], str, type[Widget]]] = [
    ("1", "pods", "Pods", PodsScreen, "#pods", PodTableView),
    ("2", "logs", "Logs", LogsScreen, "#logs", LogView),
    ("3", "terminal", "Terminal", TerminalScreen, "#terminal-tabs", TabbedContent),
    ("4", "images", "Images", ImagesScreen, "#images", DataTable),
    ("5", "push", "Push", PushScreen, "#push-destination", Input),
    ("6", "deploy", "Deploy", DeployScreen, "#deploy-yaml", TextArea),
    ("7", "doctor", "Doctor", DoctorScreen, "#doctor-checks", OptionList),
    ("8", "forwards", "Forwards", ForwardsScreen, "#forwards", DataTable),
    ("9", "runs", "Runs", RunsScreen, "#runs", RunTableView),
    ("0", "nodes", "Nodes", NodesScreen, "#nodes", DataTable),
    ("E", "events", "Events", EventsScreen, "#events", DataTable),
]


async def test_each_screen_has_a_visible_key_a_clickable_tab_and_a_palette_command(stack: StackEnv) -> None:
    assert [(info.key, info.name, info.title) for info in MODE_INFOS] == [s[:3] for s in SCREENS]
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        tabs = str(app.screen.query_one(ScreenTabs).content)
        for key, mode, title, screen_class, widget_id, widget_class in SCREENS:
            assert f" {key} {title} " in tabs
            await pilot.press(key)
            await settle(pilot, lambda wanted=mode: app.current_mode == wanted, what=f"key {key} to switch to {mode}")
            screen = app.screen
            assert type(screen) is screen_class, f"key {key}: {type(screen).__name__}, not {screen_class.__name__}"
            assert screen.title == title
            assert isinstance(screen.query_one(widget_id), widget_class), f"{title}: {widget_id}"
        await pilot.click(ScreenTabs, offset=(tabs.index(" 2 Logs ") + 2, 0))
        await settle(pilot, lambda: isinstance(app.screen, LogsScreen), what="a click on the Logs tab")
        await pilot.press("1")
        await settle(pilot, lambda: isinstance(app.screen, PodsScreen), what="back on Pods")
        commands = [command.title for command in app.get_system_commands(app.screen)]
        for key, _, title, *_ in SCREENS:
            assert f"Go to {title}  ({key})" in commands
        await pilot.press("ctrl+p")
        await pilot.press(*"go to deploy")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, DeployScreen), what="palette switch to deploy")
