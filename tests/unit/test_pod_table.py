"""The pod list's model: filter, sort and batched updates keep the visible order right."""

from datetime import UTC, datetime, timedelta

from tui.models.pods.row import PodRemoved, PodRow, PodsListed, PodsListing, PodUpserted, WatchTrouble
from tui.models.pods.table import LabelSelector, PodFilter, PodTable
from tui.services.pods.watch import PodChangeBuffer, _continue_token

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def row(name: str, status: str = "Running", *, ns: str = "exp", restarts: int = 0, age_s: int = 60,
        ip: str = "10.0.0.1", labels: dict[str, str] | None = None) -> PodRow:  # fmt: skip
    return PodRow(ns, name, "1/1", status, restarts, T0 - timedelta(seconds=age_s), ip, "kwok-node-0",
                  "img:1", labels or {})  # fmt: skip


def test_sorted_by_name_then_any_column_both_ways() -> None:
    table = PodTable()
    table.replace_all([row("b", restarts=5), row("a", restarts=1), row("c", restarts=3)])
    assert table.view == ["exp/a", "exp/b", "exp/c"]
    table.sort_by("RESTARTS")
    assert table.view == ["exp/a", "exp/c", "exp/b"]
    table.sort_by("RESTARTS")  # same column again: reversed
    assert table.view == ["exp/b", "exp/c", "exp/a"]


def test_ip_sorts_numerically_and_age_youngest_first() -> None:
    table = PodTable()
    table.replace_all([row("a", ip="10.0.0.10", age_s=5), row("b", ip="10.0.0.9", age_s=500), row("c", ip="")])
    table.sort_by("IP")
    assert table.view == ["exp/b", "exp/a", "exp/c"]
    table.sort_by("AGE")
    assert table.view == ["exp/a", "exp/c", "exp/b"]  # ages 5 s, 60 s, 500 s


def test_filter_is_a_case_insensitive_regex_or_else_a_substring() -> None:
    table = PodTable()
    table.replace_all([row("train-1"), row("train-2", "CrashLoopBackOff"), row("eval-1")])
    table.set_filter("TRAIN-[12]$")
    assert table.view == ["exp/train-1", "exp/train-2"]
    table.set_filter("crashloop")
    assert table.view == ["exp/train-2"]
    table.set_filter("train-(")  # not a regex: taken literally
    assert table.view == [] and not table.filter.is_regex


def test_label_selector_filter() -> None:
    table = PodTable()
    table.replace_all(
        [row("a", labels={"tier": "gpu", "team": "ml"}), row("b", labels={"tier": "cpu"}), row("c", labels={})]
    )
    table.set_filter("-l tier=gpu")
    assert table.view == ["exp/a"]
    table.set_filter("-l tier!=gpu")
    assert table.view == ["exp/b", "exp/c"]
    table.set_filter("-l tier,!team")
    assert table.view == ["exp/b"]
    assert LabelSelector("a==1").matches({"a": "1"})
    assert not PodFilter("-l team=ml").matches(row("x"))


def test_changes_upsert_remove_and_keep_order() -> None:
    table = PodTable()
    table.replace_all([row("a"), row("b")])
    table.apply({"exp/b": None, "exp/c": row("c"), "exp/a": row("a", "Error")})
    assert table.view == ["exp/a", "exp/c"]
    assert table.rows["exp/a"].status == "Error"
    table.sort_by("STATUS")
    table.apply({"exp/c": row("c", "Completed")})  # the sort key changed: re-sorted
    assert table.view == ["exp/c", "exp/a"]


def test_buffer_coalesces_a_burst_into_one_wakeup() -> None:
    buffer = PodChangeBuffer()
    assert buffer.add(PodsListed([row("a"), row("b")])) is True
    assert buffer.add(PodUpserted(row("a", "Error"))) is False
    assert buffer.add(PodUpserted(row("a", "Completed"))) is False
    assert buffer.add(PodRemoved("exp/b")) is False
    listed, changes, trouble = buffer.take()
    assert listed is not None and [r.name for r in listed] == ["a", "b"]
    assert changes == {"exp/a": row("a", "Completed"), "exp/b": None}
    assert trouble is None
    assert buffer.add(WatchTrouble("connection refused", 1.0)) is True  # a new batch wakes the UI again
    assert buffer.take()[2] == WatchTrouble("connection refused", 1.0)


def test_a_new_list_supersedes_changes_before_it() -> None:
    buffer = PodChangeBuffer()
    buffer.add(PodUpserted(row("ghost")))
    buffer.add(PodsListed([row("a")]))
    listed, changes, _ = buffer.take()
    assert listed == [row("a")] and changes == {}


def test_pages_of_a_list_show_at_once_and_the_final_list_replaces_them() -> None:
    buffer = PodChangeBuffer()
    assert buffer.add(PodsListing([row("a")])) is True
    listed, changes, _ = buffer.take()
    assert listed is None and changes == {"exp/a": row("a")}
    buffer.add(PodsListing([row("b")]))
    buffer.add(PodsListed([row("b"), row("c")], "42"))
    listed, changes, _ = buffer.take()
    assert listed == [row("b"), row("c")] and changes == {}


def test_the_continue_token_is_read_from_the_head_of_a_page() -> None:
    page = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"eyJ2Ijo","remainingItemCount":3},"items":[{"metadata":{"name":"x"}}]}'  # noqa: E501
    assert _continue_token(page) == "eyJ2Ijo"
    assert _continue_token(b'{"kind":"PodList","metadata":{"resourceVersion":"9"},"items":[]}') is None
