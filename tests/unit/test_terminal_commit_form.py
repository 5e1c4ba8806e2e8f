"""The commit form of an interactive build's Terminal tab: what it suggests, what it refuses, in words."""

from __future__ import annotations

import pytest

from tui.models.images.image import ImageRef
from tui.screens.common.forms import FormValues
from tui.screens.terminal.commit import CommitRequest, check_commit, suggested_ref
from tui.services.terminal.container_fate import unix_time


def values(**given: str | bool) -> FormValues:
    base: FormValues = {"tag": "127.0.0.1:5000/team/train:0.2", "cmd": "", "entrypoint": "", "workdir": "",
                        "env": "", "remove": True}  # fmt: skip
    return {**base, **given}


def test_the_values_become_a_commit() -> None:
    request = CommitRequest.from_values(
        values(cmd="python '/app/my train.py'", entrypoint="", workdir="/app", env="A=1 B=x=y", remove=False)
    )
    assert request.ref == ImageRef.parse("127.0.0.1:5000/team/train:0.2")
    assert request.cmd == ["python", "/app/my train.py"] and request.entrypoint is None
    assert request.workdir == "/app" and request.env == {"A": "1", "B": "x=y"} and request.remove is False


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"tag": "Not A Tag"}, "Commit as: "),
        ({"cmd": "python 'unclosed"}, 'CMD: no closing quotation in "python \'unclosed"'),
        ({"env": "A=1 JUSTAWORD"}, "ENV: 'JUSTAWORD' is not KEY=value (pairs separated by spaces)"),
        ({"env": "=1"}, "ENV: '=1' is not KEY=value"),
    ],
)
def test_bad_values_are_said_in_words(given: dict[str, str], said: str) -> None:
    problem = check_commit(values(**given))
    assert problem is not None and problem.startswith(said)
    assert check_commit(values()) is None


@pytest.mark.parametrize(
    ("last_pushed", "suggested"),
    [
        ("127.0.0.1:5000/team/train:0.1@sha256:" + "a" * 64, "127.0.0.1:5000/team/train:0.2"),
        ("europe-west2-docker.pkg.dev/p/r/train:v9", "europe-west2-docker.pkg.dev/p/r/train:v10"),
        ("127.0.0.1:5000/team/train:latest", ""),  # no number to raise
        ("not a reference", ""),
        (None, ""),
    ],
)
def test_the_suggested_name_is_one_up_from_the_last_push(last_pushed: str | None, suggested: str) -> None:
    assert suggested_ref(last_pushed) == suggested


def test_engine_times_become_what_its_events_api_takes() -> None:
    assert unix_time("2026-12-07T09:38:33.253098462Z") == "1796636313.253098462"
    assert unix_time("2026-12-07T09:38:33Z") == "1796636313.000000000"
    assert unix_time("2026-12-07T10:38:33.25+01:00") == "1796636313.250000000"
    with pytest.raises(ValueError):
        unix_time("yesterday")
