"""Where a copy into a pod lands, by docker cp's rules, from what the pod has at the place typed."""

from __future__ import annotations

import pytest

from tui.models.transfer.copy_target import (
    Around,
    PodEntry,
    PodKind,
    TargetRefused,
    copy_target,
    dest_text,
    paths_asked,
)
from tui.services.transfer.copy_in_target import parse_kinds

MISSING, FOLDER, FILE = PodEntry(PodKind.MISSING), PodEntry(PodKind.FOLDER), PodEntry(PodKind.FILE)


def around(dest: PodEntry, inside: PodEntry = MISSING, parent: PodEntry = FOLDER) -> Around:
    return Around(parent, dest, inside)


def test_a_folder_to_a_path_the_pod_does_not_have_becomes_that_path_not_path_slash_name() -> None:
    target = copy_target("/persistent/data", "data", True, around(MISSING))
    assert target.target == "/persistent/data" and target.replaces is PodKind.MISSING
    assert "no /persistent/data/data" in target.why
    assert copy_target("/persistent/data/", "data", True, around(MISSING)).target == "/persistent/data"


def test_a_folder_to_a_folder_the_pod_has_goes_into_it_and_says_what_it_replaces() -> None:
    target = copy_target("/persistent", "data", True, around(FOLDER))
    assert (target.target, target.replaces) == ("/persistent/data", PodKind.MISSING)
    assert target.why == "/persistent is a folder in the pod, so the folder data goes into it"
    assert copy_target("/persistent", "data", True, around(FOLDER, FOLDER)).replaces is PodKind.FOLDER
    assert copy_target("/", "data", True, around(FOLDER)).target == "/data"


def test_a_file_lands_in_a_folder_under_its_name_else_under_the_name_typed() -> None:
    assert copy_target("/in", "a.csv", False, around(FOLDER)).target == "/in/a.csv"
    assert copy_target("/in/b.csv", "a.csv", False, around(MISSING)).target == "/in/b.csv"
    replaced = copy_target("/in/b.csv", "a.csv", False, around(FILE))
    assert (replaced.target, replaced.replaces) == ("/in/b.csv", PodKind.FILE)


def test_a_trailing_slash_that_is_not_there_is_made_a_folder_and_says_so() -> None:
    target = copy_target("/in/new/", "a.csv", False, around(MISSING))
    assert target.target == "/in/new/a.csv" and "docker cp would refuse" in target.why


@pytest.mark.parametrize(
    ("dest", "folder", "there", "words"),
    [
        ("/in/x", True, around(FILE), "/in/x is a file in the pod: a folder cannot be copied over it"),
        ("/in/x/", False, around(FILE), "/in/x is a file in the pod, not a folder"),
        ("/in", False, around(FOLDER, FOLDER), "/in/a is a folder in the pod: a file cannot replace it"),
        ("/in", True, around(FOLDER, FILE), "/in/a is a file in the pod: a folder cannot replace it"),
        ("/in/x", True, around(MISSING, parent=FILE), "/in is a file in the pod, not a folder"),
        ("/in", True, around(PodEntry(PodKind.LINK, "/etc")), "/in is a link to /etc: refused"),
        ("/in", True, around(FOLDER, PodEntry(PodKind.DANGLING, "/gone")), "/in/a is a link to /gone, which does"),
        ("/in/x", True, around(MISSING, parent=PodEntry(PodKind.LINK, "/etc")), "/in is a link to /etc: refused"),
    ],
)
def test_what_cannot_be_done_or_would_go_through_a_link_is_refused_in_words(
    dest: str, folder: bool, there: Around, words: str
) -> None:
    with pytest.raises(TargetRefused, match="^" + words.replace("(", r"\(").replace(")", r"\)")):
        copy_target(dest, "a", folder, there)


def test_the_pod_is_asked_about_the_folder_holding_the_path_the_path_and_what_would_land_in_it() -> None:
    assert paths_asked("/persistent/data/", "data") == ("/persistent", "/persistent/data", "/persistent/data/data")
    assert paths_asked("data", "x") == (".", "data", "data/x")
    assert dest_text("/") == ("/", False) and dest_text("/a//") == ("/a", True)


def test_the_pods_answer_is_read_and_its_link_text_cannot_paint_the_screen() -> None:
    entries = parse_kinds("folder\nlink /etc\x1b[2J \nmissing\n", 3)
    assert [e.kind for e in entries] == [PodKind.FOLDER, PodKind.LINK, PodKind.MISSING]
    assert entries[1].to == "/etc\\x1b[2J"
    with pytest.raises(Exception, match="not understood"):
        parse_kinds("folder\nwhat\nmissing\n", 3)
    with pytest.raises(Exception, match="did not say"):
        parse_kinds("folder\n", 3)
