"""Themes as data: YAML files (bundled in themes/, plus the user's) turned into Textual themes with the app's own
colour variables (`$pod-running`, `$log-error` …), so switching theme recolours pod states, logs and diffs too.

A bad file never stops the app: it is skipped, and the problem names the file and the field.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui.models.xdg import config_dir

# The app's own variables and, for themes that do not set one (Textual's built-in themes, partial user themes),
# the Textual colour-system variable it falls back to.
APP_VARIABLES: dict[str, str] = {
    "pod-running": "text-success",
    "pod-pending": "text-warning",
    "pod-succeeded": "foreground-darken-3",
    "pod-failed": "text-error",
    "pod-terminating": "text-secondary",
    "log-error": "text-error",
    "log-warning": "text-warning",
    "log-info": "text-primary",
    "log-debug": "foreground-darken-3",
    "log-match": "warning-muted",
    "progress-bar": "primary",
    "progress-done": "success",
    "diff-added": "text-success",
    "diff-removed": "text-error",
    "status-ok": "success",
    "status-bad": "error",
}

_COLOUR_FIELDS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground", "background",
                  "surface", "panel", "boost")  # fmt: skip
_TOP_LEVEL = {"name", "dark", "colors", "variables", "luminosity_spread", "text_alpha"}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; `str()` names the file and the field."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}" if field else f"{path}: {problem}")
        self.path = path
        self.field = field


@dataclass(frozen=True)
class LoadedThemes:
    themes: list[Theme]
    problems: list[ThemeFileError]


def bundled_theme_dir() -> Path:
    """The themes shipped with the app: package data when installed, the repo's themes/ in a checkout."""
    packaged = Path(str(resources.files("tui") / "bundled_themes"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


def user_theme_dir(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(os.environ if environ is None else environ) / "themes"


def fallback_variables(color_system: Mapping[str, str]) -> dict[str, str]:
    """The app's variables for a theme that does not define them, taken from its own generated colours."""
    return {name: color_system[source] for name, source in APP_VARIABLES.items() if source in color_system}


def load_themes(directories: Iterable[Path]) -> LoadedThemes:
    """Every *.yaml / *.yml theme in these directories (later ones override earlier ones of the same name)."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeFileError] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            try:
                theme = load_theme_file(path)
            except ThemeFileError as exc:
                problems.append(exc)
            else:
                themes[theme.name] = theme
    return LoadedThemes(list(themes.values()), problems)


def load_theme_file(path: Path) -> Theme:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeFileError(path, "", f"cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ThemeFileError(path, "", f"not valid YAML{where}") from exc
    return theme_from_document(path, document)


def theme_from_document(path: Path, document: Any) -> Theme:
    if not isinstance(document, dict):
        raise ThemeFileError(path, "", "expected a mapping with name, dark, colors and variables")
    unknown = sorted(set(document) - _TOP_LEVEL)
    if unknown:
        raise ThemeFileError(path, str(unknown[0]), f"unknown field (fields: {', '.join(sorted(_TOP_LEVEL))})")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(path, "name", "missing (every theme needs a name)")
    dark = document.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError(path, "dark", f"{dark!r} is not true or false")
    colours = _mapping(path, document, "colors")
    bad = sorted(set(colours) - set(_COLOUR_FIELDS))
    if bad:
        raise ThemeFileError(path, f"colors.{bad[0]}", f"unknown colour (colours: {', '.join(_COLOUR_FIELDS)})")
    if "primary" not in colours:
        raise ThemeFileError(path, "colors.primary", "missing (every theme needs a primary colour)")
    for key, value in colours.items():
        _check_colour(path, f"colors.{key}", value)
    variables = _mapping(path, document, "variables")
    for key, value in variables.items():
        _check_colour(path, f"variables.{key}", value)
    extra: dict[str, float] = {}
    for key in ("luminosity_spread", "text_alpha"):
        if key in document:
            value = document[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeFileError(path, key, f"{value!r} is not a number between 0 and 1")
            extra[key] = float(value)
    spread, alpha = extra.get("luminosity_spread", 0.15), extra.get("text_alpha", 0.95)
    colour = {key: str(value) for key, value in colours.items()}
    return Theme(
        name=name.strip(), primary=colour["primary"], secondary=colour.get("secondary"), accent=colour.get("accent"),
        warning=colour.get("warning"), error=colour.get("error"), success=colour.get("success"),
        foreground=colour.get("foreground"), background=colour.get("background"), surface=colour.get("surface"),
        panel=colour.get("panel"), boost=colour.get("boost"), dark=dark, luminosity_spread=spread, text_alpha=alpha,
        variables={str(key): str(value) for key, value in variables.items()},
    )  # fmt: skip


def _mapping(path: Path, document: dict[str, Any], field: str) -> dict[str, Any]:
    value = document.get(field) or {}
    if not isinstance(value, dict):
        raise ThemeFileError(path, field, "expected a mapping of names to colours")
    return value


def _check_colour(path: Path, field: str, value: object) -> None:
    try:
        if not isinstance(value, str):
            raise ColorParseError(str(value))
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(path, field, f"{value!r} is not a colour (use #rrggbb, rgb(r, g, b) or a name)") from None
