"""Theme files: the bundled ones are complete and valid; a bad file names itself and its field."""

from pathlib import Path

import pytest
from textual.theme import BUILTIN_THEMES

from tui.themes import APP_VARIABLES, ThemeFileError, bundled_theme_dir, fallback_variables, load_themes, user_theme_dir


def test_four_bundled_themes_each_define_every_app_variable() -> None:
    loaded = load_themes([bundled_theme_dir()])
    assert loaded.problems == []
    names = {theme.name for theme in loaded.themes}
    assert {"k8sx-dark", "k8sx-light", "k8sx-high-contrast", "k8sx-amber"} <= names
    for theme in loaded.themes:
        assert set(APP_VARIABLES) <= set(theme.variables), theme.name
    assert {theme.name: theme.dark for theme in loaded.themes}["k8sx-light"] is False


def test_the_bundled_folder_is_the_repos_themes_folder() -> None:
    assert (bundled_theme_dir() / "k8sx-dark.yaml").read_text() == (
        Path(__file__).resolve().parents[2] / "themes" / "k8sx-dark.yaml"
    ).read_text()


def theme_file(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            "name: x\ncolors: {primary: '#123456'}\nvariables: {pod-running: grean}\n",
            "variables.pod-running",
            "'grean' is not a colour",
        ),
        ("name: x\ncolors: {primary: '#12345'}\n", "colors.primary", "is not a colour"),
        ("name: x\ncolors: {primry: '#123456'}\n", "colors.primry", "unknown colour"),
        ("colors: {primary: '#123456'}\n", "name", "missing"),
        ("name: x\ncolors: {}\n", "colors.primary", "missing"),
        ("name: x\ndark: maybe\ncolors: {primary: red}\n", "dark", "not true or false"),
        ("name: x\ncolours: {primary: red}\n", "colours", "unknown field"),
        ("name: x\n  bad: [\n", "", "not valid YAML"),
    ],
)
def test_a_bad_theme_file_is_skipped_naming_the_file_and_the_field(
    tmp_path: Path, text: str, field: str, words: str
) -> None:
    folder = theme_file(tmp_path, text)
    theme_file(tmp_path, "name: good\ncolors: {primary: '#336699'}\n", "good.yml")
    loaded = load_themes([folder])
    assert [theme.name for theme in loaded.themes] == ["good"]
    [problem] = loaded.problems
    assert isinstance(problem, ThemeFileError)
    assert problem.field == field
    assert str(tmp_path / "mine.yaml") in str(problem)
    assert words in str(problem)


def test_user_themes_override_bundled_ones_of_the_same_name(tmp_path: Path) -> None:
    theme_file(tmp_path, "name: k8sx-dark\ncolors: {primary: '#ff0000'}\n")
    loaded = load_themes([bundled_theme_dir(), tmp_path, tmp_path / "missing"])
    [dark] = [theme for theme in loaded.themes if theme.name == "k8sx-dark"]
    assert dark.primary == "#ff0000"
    assert user_theme_dir({"XDG_CONFIG_HOME": "/c"}) == Path("/c/k8sx-tui/themes")


def test_textual_themes_get_every_app_variable_from_their_own_colours() -> None:
    for theme in BUILTIN_THEMES.values():
        generated = theme.to_color_system().generate()
        variables = fallback_variables(generated)
        assert set(variables) == set(APP_VARIABLES), theme.name
        assert variables["pod-failed"] == generated["text-error"]
