"""A run's page with its pulls: when, where, files and bytes; and, once the local files were checked, whether they
still match, in words (which changed, the folder gone, too large to check)."""

from __future__ import annotations

from tests.support.run_records import make_run
from tui.models.runs.page import run_page, when
from tui.models.runs.result_state import ResultsCheck, ResultsState
from tui.models.runs.run import RunResult

RUN = make_run("20261207-1300-abcd", "train", 1_765_000_000.0)
PULLS = [
    RunResult(RUN.id, 1_765_000_100.0, "/home/u/results/train", 3, 2048, {"a": "0" * 64}),
    RunResult(RUN.id, 1_765_000_200.0, "/home/u/results/again", 12, 5_000_000, {}),
    RunResult(RUN.id, 1_765_000_300.0, "/home/u/results/big", 1, 3 * 10**9, {}),
]


def section(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("Results pulled") + 1
    return lines[start : lines.index("", start)]


def test_each_pull_says_when_where_files_and_bytes_and_no_state_until_checked() -> None:
    assert section(run_page(RUN, PULLS, [])) == [
        f"  {when(PULLS[0].at)} /home/u/results/train: 3 files, 2.0kB",
        f"  {when(PULLS[1].at)} /home/u/results/again: 12 files, 5.0MB",
        f"  {when(PULLS[2].at)} /home/u/results/big: 1 file, 3.0GB",
    ]


def test_the_states_are_said_under_each_pull() -> None:
    states = [
        ResultsState(ResultsCheck.MATCH, 3),
        ResultsState(ResultsCheck.CHANGED, 12, tuple(f"shard-{i}.csv" for i in range(7))),
        ResultsState(ResultsCheck.TOO_LARGE, 1, size=3 * 10**9, limit=2 * 10**9),
    ]
    lines = section(run_page(RUN, PULLS, [], states))
    assert lines[1] == "    still matches (3 files, sha256)"
    assert lines[3] == (
        "    changed: 7 of 12 files differ or are gone "
        "(shard-0.csv, shard-1.csv, shard-2.csv, shard-3.csv, shard-4.csv and 2 more)"
    )
    assert lines[5] == "    not checked: 3.0GB is too large to check (over 2.0GB)"
    missing = section(run_page(RUN, PULLS[:1], [], [ResultsState(ResultsCheck.MISSING, 3)]))
    assert missing[1] == "    missing: the local copy is gone (deleted or moved)"


def test_no_pull_says_none() -> None:
    assert section(run_page(RUN, [], [], [])) == ["  none"]
