"""Themes, help, key map and the settings file in the real app against the real stack."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.color import Color
from textual.command import CommandPalette

from tests.e2e.test_pods_screen import create_pod, pods_screen, rendered_row
from tests.support.app import SIZE, settle
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.backends import Backends, backends_from
from tui.cli import options_from, with_settings
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.help import HelpScreen
from tui.screens.common.text_view import TextViewScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.settings import load_settings
from tui.themes import bundled_theme_dir, load_themes
from tui.widgets.pod_table import PodTableView
from tui.widgets.status_line import StatusLine


def app_with(stack: StackEnv, namespace: str, tmp_path: Path, config: str, theme_files: dict[str, str]) -> K8sxApp:
    """The app as `k8sx-tui` builds it, from a settings file and a user themes folder in tmp_path."""
    (tmp_path / "config.yaml").write_text(config)
    themes = tmp_path / "themes"
    themes.mkdir()
    for name, text in theme_files.items():
        (themes / name).write_text(text)
    loaded = load_settings(tmp_path / "config.yaml", {})
    backends = Backends(KubeService(stack.kubeconfig, None, namespace), DockerService(stack.docker_host))
    return K8sxApp(
        backends, settings=loaded.settings, problems=loaded.problems, theme_dirs=[bundled_theme_dir(), themes]
    )


def notes(app: K8sxApp) -> str:
    return "\n".join(notification.message for notification in app._notifications)


def status_colour(app: K8sxApp, name: str) -> Color | None:
    """The colour the pod table draws this pod's STATUS cell in."""
    view = pods_screen(app).query_one(PodTableView)
    for y in range(1, view.size.height):
        strip = view.render_line(y)
        if strip.text.split()[:1] == [name]:
            for segment in strip:
                if segment.text.strip() in {"Running", "Pending", "ContainerCreating"}:
                    style = segment.style or Style()
                    return Color.from_rich_color(style.color) if style.color else None
    return None


def theme_variable(name: str, variable: str) -> Color:
    [theme] = [t for t in load_themes([bundled_theme_dir()]).themes if t.name == name]
    return Color.parse(theme.variables[variable])


async def test_a_typod_key_a_bad_theme_and_a_conflicting_remap_each_say_so_and_the_app_starts(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    create_pod(stack, namespace, "train-a")
    config = "themee: x\ntheme: broken\nlog_tail_lines: many\nkeymap:\n  pods.delete: l\n  pods.shel: z\n"
    broken = "name: broken\ncolors: {primary: '#336699'}\nvariables: {pod-running: grean}\n"
    app = app_with(stack, namespace, tmp_path, config, {"broken.yaml": broken})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "Running" in rendered_row(app, "train-a"), what="the pod list")
        text = notes(app)
        assert "unknown key 'themee' (did you mean 'theme'?)" in text
        assert "log_tail_lines: expected a whole number" in text
        assert f"{tmp_path / 'themes' / 'broken.yaml'}: variables.pod-running: 'grean' is not a colour" in text
        assert "unknown theme 'broken', using k8sx-dark" in text
        assert "keymap: pods.delete → l ignored: l is already pods.logs (Logs) on the pods screen" in text
        assert "unknown binding id 'pods.shel' (did you mean 'pods.shell'?)" in text
        assert app.theme == "k8sx-dark"
        # The refused remap left ctrl+d on delete (behind its confirm dialog).
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete confirm")
        await pilot.press("escape")


async def test_a_remapped_key_works_the_old_one_does_not_and_help_shows_it(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    create_pod(stack, namespace, "train-a")
    app = app_with(stack, namespace, tmp_path, "keymap:\n  pods.delete: ctrl+x\n  app.help: h\n", {})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "Running" in rendered_row(app, "train-a"), what="the pod list")
        assert "keymap" not in notes(app)
        bound = app.active_bindings  # what each key does here, now
        assert "ctrl+d" not in bound and bound["ctrl+x"].binding.action == "delete"
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete confirm on ctrl+x")
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the dialog to close")
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="help on the remapped key")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        entries = {entry.binding_id: entry.keys for group in help_screen.groups for entry in group.entries}
        assert entries["pods.delete"] == ["^x"]
        assert entries["app.help"] == ["h"]


async def test_question_mark_and_f1_show_the_screens_keys_and_the_global_ones(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    app = app_with(stack, namespace, tmp_path, "", {})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.cluster_health.is_up, what="the cluster")
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        groups = {group.title: {entry.binding_id: entry for entry in group.entries} for group in screen.groups}
        assert list(groups)[:2] == ["Pods", "Everywhere"]
        assert groups["Pods"]["pods.delete"].description == "Delete…"
        assert groups["Pods"]["pods.describe"].keys == ["d", "⏎"]
        assert groups["Pods"]["pods.mark"].keys == ["space"]  # the focused table's keys are there too
        assert {"app.help", "app.quit", "screen.logs"} <= set(groups["Everywhere"])
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, HelpScreen), what="help to close")
        await pilot.press("4", "f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen), what="help on images")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        assert screen.groups[0].title == "Images"
        assert "images.delete" in {entry.binding_id for entry in screen.groups[0].entries}


async def test_every_key_of_the_screen_is_in_the_command_palette(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    create_pod(stack, namespace, "train-a")
    app = app_with(stack, namespace, tmp_path, "", {})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "Running" in rendered_row(app, "train-a"), what="the pod list")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Describe  (d · ⏎)", "Delete…  (^d)", "Logs  (l)", "Help: keys of this screen  (?)"):
            assert title in titles
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*"Describe")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(
            pilot, lambda: isinstance(app.screen, TextViewScreen), timeout=30, what="describe from the palette"
        )


async def test_switching_theme_recolours_pod_states_and_the_status_line(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    create_pod(stack, namespace, "train-a")
    create_pod(stack, namespace, "train-b")  # not under the cursor, so its own colours show
    app = app_with(stack, namespace, tmp_path, "theme: k8sx-dark\n", {})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "Running" in rendered_row(app, "train-b"), what="the pod list")
        await settle(pilot, lambda: app.cluster_health.is_up and app.engine_health.is_up, what="both backends")
        assert status_colour(app, "train-b") == theme_variable("k8sx-dark", "pod-running")
        for name in ("k8sx-light", "k8sx-high-contrast", "k8sx-amber"):
            app.theme = name
            await pilot.pause(0.3)
            assert status_colour(app, "train-b") == theme_variable(name, "pod-running"), name
            line = app.screen.query_one(StatusLine).render_line(0)
            marks = [segment for segment in line if segment.text == "●"]
            assert marks and marks[0].style is not None and marks[0].style.color is not None
            assert Color.from_rich_color(marks[0].style.color) == theme_variable(name, "status-ok"), name
        app.theme = "nord"  # a Textual theme without the app's variables: they come from its own colours
        await pilot.pause(0.3)
        assert status_colour(app, "train-b") is not None


async def test_the_theme_picker_of_the_palette_lists_the_app_themes(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    mine = "name: my-theme\ncolors: {primary: '#aa3366'}\n"
    app = app_with(stack, namespace, tmp_path, "", {"mine.yaml": mine})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.cluster_health.is_up, what="the cluster")
        app.action_change_theme()
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette), what="the theme picker")
        await pilot.press(*"k8sx-amb")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: app.theme == "k8sx-amber", what="k8sx-amber picked")
        assert "my-theme" in app.available_themes


async def test_environment_and_file_choose_theme_and_namespace_as_the_cli_does(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    create_pod(stack, namespace, "train-env")
    (tmp_path / "config.yaml").write_text("theme: k8sx-amber\nnamespace: not-this-one\n")
    env = {"K8SX_TUI_NAMESPACE": namespace, "K8SX_TUI_THEME": "k8sx-light"}
    loaded = load_settings(tmp_path / "config.yaml", env)
    options = with_settings(
        options_from(["--kubeconfig", stack.kubeconfig, "--docker-host", stack.docker_host]), loaded
    )
    app = K8sxApp(backends_from(options), theme_name=options.theme, settings=loaded.settings, problems=loaded.problems)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "Running" in rendered_row(app, "train-env"), what="the pod in the env's namespace")
        assert app.theme == "k8sx-light"
        assert notes(app) == ""
