"""The pod list's model at scale keeps what it answers: the kept order, the filter narrowed as it is typed, the
columns' lengths counted as rows come and go (what makes 100,000 pods answer quickly, bench/pods.py) all give
what a fresh pass over every row would."""

from __future__ import annotations

import dataclasses

from tests.unit.test_pod_table import row
from tui.models.pods.table import PodFilter, PodTable


def fresh_view(table: PodTable) -> list[str]:
    """The visible order worked out from scratch, as the table did before it kept anything between changes."""
    other = PodTable()
    other.sort_by(table.sort_column, table.sort_reverse)
    other.replace_all(table.rows.values())
    other.set_filter(table.filter.text)
    return other.view


def test_a_filter_typed_key_by_key_with_pods_changing_between_keys() -> None:
    table = PodTable()
    table.replace_all([row("alpha-1"), row("alpha-12"), row("beta-1"), row("alpha-2", "Pending")])
    typed = ""
    for key in "alpha-1":
        typed += key
        table.set_filter(typed)
        assert table.view == fresh_view(table)
    assert table.view == ["exp/alpha-1", "exp/alpha-12"]
    table.apply({"exp/alpha-13": row("alpha-13"), "exp/alpha-1": None})  # while the filter stands
    assert table.view == ["exp/alpha-12", "exp/alpha-13"]
    table.set_filter("alpha-12")  # typed further: only the shown rows are looked at
    assert table.view == ["exp/alpha-12"]
    table.set_filter("alpha-")  # a key taken back: every row again
    assert table.view == ["exp/alpha-12", "exp/alpha-13", "exp/alpha-2"]
    table.set_filter("pend")  # another column, another text: not a narrowing of the last
    assert table.view == ["exp/alpha-2"]


def test_a_narrowed_filter_still_sees_a_status_typed_in_any_case() -> None:
    table = PodTable()
    table.replace_all([row("a", "CrashLoopBackOff"), row("b")])
    table.set_filter("crash")
    table.set_filter("CRASHLOOP")
    assert table.view == ["exp/a"]


def test_the_kept_order_follows_a_changed_sort_key_and_new_pods() -> None:
    table = PodTable()
    table.replace_all([row("a", restarts=1), row("b", restarts=2), row("c", restarts=3)])
    table.sort_by("RESTARTS")
    table.apply({"exp/a": row("a", restarts=9)})
    assert table.view == ["exp/b", "exp/c", "exp/a"]
    table.set_filter("b|a")
    table.set_filter("")
    assert table.view == ["exp/b", "exp/c", "exp/a"]
    table.set_filter("-l none")  # every row filtered out, then one changes order unseen
    table.apply({"exp/c": row("c", restarts=0), "exp/d": row("d", restarts=5)})
    table.set_filter("")
    assert table.view == ["exp/c", "exp/b", "exp/d", "exp/a"] == fresh_view(table)


def test_regex_anchors_hold_per_column() -> None:
    table = PodTable()
    table.replace_all([row("run-1", ip="10.0.0.1"), row("run-10", ip="10.0.0.2"), row("kwok-x", ip="")])
    table.set_filter("-1$")
    assert table.view == ["exp/run-1"]
    table.set_filter("^kwok")  # the node column of each, and the name of one
    assert table.view == ["exp/kwok-x", "exp/run-1", "exp/run-10"]
    table.set_filter("^run.*2$")  # no column starts with run and ends in 2 (the name ends 0, the IP 2)
    assert table.view == []
    table.set_filter(r"\Arun-1\Z")
    assert table.view == ["exp/run-1"]


def test_a_status_over_several_lines_is_searched_as_one_column() -> None:
    waiting = row("p", "Pending: 0/3 nodes\nInsufficient nvidia.com/gpu")
    assert PodFilter("insufficient").matches(waiting)
    assert PodFilter("^Insufficient").matches(waiting) is False  # ^ is the column's start, as for one field alone
    assert PodFilter("nodes\\ninsufficient").matches(waiting)


def test_the_widest_cell_of_each_column_follows_rows_coming_and_going() -> None:
    table = PodTable()
    table.replace_all([row("a"), row("a-much-longer-name"), row("mid-name")])
    assert table.longest("NAME") == len("a-much-longer-name")
    table.apply({"exp/a-much-longer-name": None})
    assert table.longest("NAME") == len("mid-name")
    table.apply({"exp/a": dataclasses.replace(row("a"), status="ContainerCreating")})
    assert table.longest("STATUS") == len("ContainerCreating")
    table.apply({"exp/a": row("a")})  # created: the status shortens, and so does the column
    assert table.longest("STATUS") == len("Running")
    table.replace_all([])
    assert table.longest("NAME") == 0
