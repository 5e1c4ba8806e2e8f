"""The settings file ($XDG_CONFIG_HOME/k8sx-tui/config.yaml) and its environment overrides (K8SX_TUI_<KEY>).

Order, last wins: built-in defaults < config file < environment < command-line flags. A bad value never stops
the app: that one key keeps its default and the problem (naming the key) is shown as a notification.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tui.models.xdg import config_dir

ENV_PREFIX = "K8SX_TUI_"
CONFIG_ENV = "K8SX_TUI_CONFIG"  # another settings file instead of the XDG one
DEFAULT_THEME = "k8sx-dark"


@dataclass(frozen=True)
class Settings:
    theme: str = DEFAULT_THEME
    context: str | None = None
    namespace: str | None = None
    log_tail_lines: int = 1000
    results_path: str = "/persistent/out"
    data_path: str = "/persistent/data"
    shell: str | None = None
    exec_protocol: str = "auto"
    log_level: str = "info"
    log_file: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)


HELP = {
    "theme": "colour theme: the name of a file in themes/ (or your themes folder), or a Textual theme",
    "context": "kube context (null: the kubeconfig's current-context)",
    "namespace": "namespace (null: the context's, then 'default')",
    "log_tail_lines": "lines of history a log starts with",
    "results_path": "folder in the pod that r (pull results) copies out",
    "data_path": "folder in the pod that u (copy in) copies into",
    "shell": "shell for s on a pod (null: bash, else sh)",
    "exec_protocol": "how copies move over exec: auto (SPDY, passed through by the API server; else websocket) "
    "or websocket (e.g. behind a proxy that passes websockets only)",
    "log_level": "how much the diagnostic log says: debug, info or warning",
    "log_file": "the diagnostic log (null: $XDG_STATE_HOME/k8sx-tui/k8sx-tui.log, rotated at 2 MB)",
    "keymap": "binding id: keys, e.g. pods.delete: ctrl+x (press ? in the app to see the ids)",
}
KEYS = {f.name: f for f in fields(Settings)}
CHOICES = {"exec_protocol": ("auto", "websocket"), "log_level": ("debug", "info", "warning")}


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    path: Path
    problems: list[str]


def settings_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env[CONFIG_ENV]).expanduser() if env.get(CONFIG_ENV) else config_dir(env) / "config.yaml"


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> LoadedSettings:
    env = os.environ if environ is None else environ
    chosen = path is not None or bool(env.get(CONFIG_ENV))  # asked for by name: its absence is worth saying
    path = path or settings_path(env)
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, raw in _read_file(path, problems, chosen).items():
        where = f"{path}: {key}"
        if key not in KEYS:
            problems.append(f"{path}: unknown key '{key}'{_did_you_mean(str(key), KEYS)}; ignored")
            continue
        value = _check(key, raw, where, problems)
        if value is not _BAD:
            values[key] = value
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in KEYS or key == "keymap":
            known = [f"{ENV_PREFIX}{k.upper()}" for k in KEYS if k != "keymap"]
            problems.append(f"unknown environment variable {name}{_did_you_mean(name, known)}; ignored")
            continue
        value = _check(key, _from_env(key, raw), f"${name}", problems)
        if value is not _BAD:
            values[key] = value
    return LoadedSettings(replace(Settings(), **values), path, problems)


def _read_file(path: Path, problems: list[str], chosen: bool) -> dict[Any, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if chosen:
            problems.append(f"{path}: no such settings file; using the defaults")
        return {}
    except OSError as exc:
        problems.append(f"{path}: cannot read ({exc.strerror or exc}); using the defaults")
        return {}
    import yaml  # PyYAML only when there is a file to read: `k8sx-tui --version` and a start without one skip it

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problems.append(f"{path}: not valid YAML{where}; using the defaults")
        return {}
    if document is None:
        return {}
    if not isinstance(document, dict):
        problems.append(f"{path}: expected 'key: value' lines, got a {type(document).__name__}; using the defaults")
        return {}
    return document


_BAD = object()


def _check(key: str, value: Any, where: str, problems: list[str]) -> Any:
    """The value if it has the key's type, else _BAD (and a problem that says what was expected)."""
    default = getattr(Settings(), key)
    kind = KEYS[key].type
    if key == "keymap":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected 'binding.id: keys' entries, got {value!r}; using no remaps")
            return _BAD
        good: dict[str, str] = {}
        for binding_id, keys in value.items():
            if isinstance(keys, str) and keys.strip():
                good[str(binding_id)] = keys.strip()
            else:
                problems.append(f"{where}.{binding_id}: expected keys like 'ctrl+x' or 'x,delete', got {keys!r}")
        return good
    if value is None and "None" in str(kind):
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{where}: expected a whole number of at least 1, got {value!r}; using {default}")
            return _BAD
        return value
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected text, got {value!r}; using {default!r}")
        return _BAD
    choices = CHOICES.get(key)
    if choices is not None and value.strip().lower() not in choices:
        problems.append(f"{where}: expected one of {', '.join(choices)}, got {value!r}; using {default!r}")
        return _BAD
    return value.strip().lower() if choices is not None else value.strip()


def _from_env(key: str, raw: str) -> Any:
    if KEYS[key].type == "int":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def default_config_text() -> str:
    """The defaults as a commented config file: `k8sx-tui --print-config > ~/.config/k8sx-tui/config.yaml`."""
    import yaml

    lines = [
        "# k8sx-tui settings. Every key is optional; environment variables K8SX_TUI_<KEY> (e.g. K8SX_TUI_THEME)",
        "# override this file, command-line flags override both.",
    ]
    defaults = Settings()
    for key in KEYS:
        lines.append(f"\n# {HELP[key]}")
        value = getattr(defaults, key)
        if key == "keymap":
            lines += ["keymap: {}", "# keymap:", "#   pods.delete: ctrl+x", "#   logs.search: ctrl+f"]
        else:
            lines.append(yaml.safe_dump({key: value}, default_flow_style=False).strip())
    return "\n".join(lines) + "\n"
