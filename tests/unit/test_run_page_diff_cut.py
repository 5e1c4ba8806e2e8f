"""The diff on a run's page on screen: its first lines and characters, then where the rest is; the CLI's page whole."""

from __future__ import annotations

from tests.support.run_records import make_run
from tui.models.runs.page import DIFF_SHOWN_CHARS, DIFF_SHOWN_LINES, run_page
from tui.models.runs.run import CodeState


def diff_section(diff: str, cut: bool) -> list[str]:
    run = make_run("20261207-1300-abcd", "train", 1_765_000_000.0, code=CodeState("/w", commit="abc", diff=diff))
    lines = run_page(run, [], [], diff_cut=cut).splitlines()
    return lines[lines.index("Code diff") + 1 :]


def test_a_short_diff_is_shown_whole() -> None:
    assert diff_section("-a\n+b\n", cut=True) == ["  -a", "  +b"]


def test_a_long_diff_shows_its_first_lines_and_says_where_the_rest_is() -> None:
    diff = "".join(f"+{index}\n" for index in range(DIFF_SHOWN_LINES + 5))
    shown = diff_section(diff, cut=True)
    assert shown[:-1] == [f"  +{index}" for index in range(DIFF_SHOWN_LINES)]
    assert shown[-1].startswith("  … 5 more lines of the diff (")
    assert "k8sx-tui runs show 20261207-1300-abcd" in shown[-1]
    assert len(diff_section(diff, cut=False)) == DIFF_SHOWN_LINES + 5  # `runs show`: all of it


def test_one_very_long_line_is_cut_where_the_characters_run_out() -> None:
    shown = diff_section("+short\n+" + "x" * (2 * DIFF_SHOWN_CHARS) + "\n+after\n", cut=True)
    assert shown[0] == "  +short"
    assert shown[1] == "  +" + "x" * (DIFF_SHOWN_CHARS - len("+short") - 1) + "…"
    assert shown[2].startswith("  … 2 more lines of the diff")
    assert len(shown) == 3
