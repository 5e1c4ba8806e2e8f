"""The settings file: defaults, a typo'd key, wrong types, environment overrides, --print-config."""

import subprocess
import sys
from pathlib import Path

from tui.cli import options_from, with_settings
from tui.models.xdg import config_dir
from tui.settings import LoadedSettings, Settings, default_config_text, load_settings, settings_path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_no_file_means_the_defaults_and_no_complaint_unless_one_was_named(tmp_path: Path) -> None:
    loaded = load_settings(None, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert loaded.settings == Settings()
    assert loaded.problems == []
    named = load_settings(tmp_path / "missing.yaml", {})
    assert named.settings == Settings()
    assert named.problems == [f"{tmp_path / 'missing.yaml'}: no such settings file; using the defaults"]
    assert (Settings().log_tail_lines, Settings().results_path, Settings().data_path) == (
        1000,
        "/persistent/out",
        "/persistent/data",
    )


def test_the_file_lives_in_the_xdg_config_dir() -> None:
    assert settings_path({"XDG_CONFIG_HOME": "/x/conf"}) == Path("/x/conf/k8sx-tui/config.yaml")
    assert settings_path({"HOME": "/home/u"}) == Path("/home/u/.config/k8sx-tui/config.yaml")
    assert settings_path({"XDG_CONFIG_HOME": "relative", "HOME": "/h"}) == Path("/h/.config/k8sx-tui/config.yaml")
    assert settings_path({"K8SX_TUI_CONFIG": "/etc/k.yaml"}) == Path("/etc/k.yaml")
    assert config_dir({"XDG_CONFIG_HOME": "/c"}) == Path("/c/k8sx-tui")


def test_a_typod_key_is_named_with_a_suggestion_and_the_rest_still_applies(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, "themee: k8sx-light\nlog_tail_lines: 50\n"), {})
    assert loaded.settings.log_tail_lines == 50
    assert loaded.settings.theme == "k8sx-dark"
    [problem] = loaded.problems
    assert "unknown key 'themee'" in problem
    assert "did you mean 'theme'" in problem
    assert str(tmp_path / "config.yaml") in problem


def test_a_wrong_type_keeps_that_keys_default_and_says_what_was_expected(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, "log_tail_lines: lots\ntheme: 12\nresults_path: /out\n"), {})
    assert loaded.settings.log_tail_lines == 1000
    assert loaded.settings.theme == "k8sx-dark"
    assert loaded.settings.results_path == "/out"
    assert any("log_tail_lines: expected a whole number" in p and "'lots'" in p for p in loaded.problems)
    assert any("theme: expected text" in p for p in loaded.problems)


def test_broken_yaml_gives_the_line_and_the_defaults(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, "theme: [unclosed\nx: 1\n"), {})
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert "not valid YAML at line" in problem


def test_keymap_entries_are_checked_one_by_one(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, "keymap:\n  pods.delete: ctrl+x\n  pods.logs: 3\n"), {})
    assert loaded.settings.keymap == {"pods.delete": "ctrl+x"}
    assert any("keymap.pods.logs" in p for p in loaded.problems)


def test_environment_overrides_the_file_and_unknown_variables_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "theme: k8sx-light\nnamespace: from-file\n")
    env = {"K8SX_TUI_THEME": "k8sx-amber", "K8SX_TUI_LOG_TAIL_LINES": "20", "K8SX_TUI_NAMSPACE": "x"}
    loaded = load_settings(path, env)
    assert (loaded.settings.theme, loaded.settings.namespace, loaded.settings.log_tail_lines) == (
        "k8sx-amber",
        "from-file",
        20,
    )
    [problem] = loaded.problems
    assert "K8SX_TUI_NAMSPACE" in problem
    assert "K8SX_TUI_NAMESPACE" in problem
    bad = load_settings(path, {"K8SX_TUI_LOG_TAIL_LINES": "many"})
    assert bad.settings.log_tail_lines == 1000
    assert "$K8SX_TUI_LOG_TAIL_LINES" in bad.problems[0]


def test_flags_win_over_settings() -> None:
    loaded = LoadedSettings(Settings(theme="k8sx-light", namespace="ns-file", context="ctx-file"), Path("x"), [])
    options = with_settings(options_from(["-n", "ns-flag"]), loaded)
    assert (options.namespace, options.context, options.theme) == ("ns-flag", "ctx-file", "k8sx-light")
    assert with_settings(options_from(["--theme", "nord"]), loaded).theme == "nord"


def test_print_config_writes_the_defaults_as_a_file_that_loads_back(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "--print-config"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == default_config_text()
    loaded = load_settings(write(tmp_path, done.stdout), {})
    assert loaded.problems == []
    assert loaded.settings == Settings()
    for key in ("theme:", "log_tail_lines: 1000", "results_path: /persistent/out", "keymap:", "K8SX_TUI_"):
        assert key in done.stdout


def test_the_exec_protocol_is_one_of_two_and_reaches_the_kube_service(tmp_path: Path) -> None:
    from tui.backends import backends_from

    wrong = load_settings(write(tmp_path, "exec_protocol: spdy\n"), {})
    assert wrong.settings.exec_protocol == "auto"
    assert wrong.problems == [
        f"{tmp_path / 'config.yaml'}: exec_protocol: expected one of auto, websocket, got 'spdy'; using 'auto'"
    ]
    from_env = load_settings(write(tmp_path, "exec_protocol: auto\n"), {"K8SX_TUI_EXEC_PROTOCOL": "WebSocket"})
    assert (from_env.settings.exec_protocol, from_env.problems) == ("websocket", [])
    options = with_settings(options_from([]), from_env)
    assert backends_from(options).kube.exec_protocol == "websocket"
    assert backends_from(with_settings(options_from([]), wrong)).kube.exec_protocol == "auto"
