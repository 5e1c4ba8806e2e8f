"""A list coming in page by page (100,000 pods: 100 pages): pages in the table's order go at its end without a sort
of every row, pages out of order are still put in their place, and the list's end (the same rows again) sorts
nothing; the columns' lengths and the GPU columns are counted, not found by a pass over every row. Whatever the path,
the view is what a fresh sort and filter of every row gives (bench/pods_replay.py measures the time)."""

from __future__ import annotations

import dataclasses
import gc
import json

import pytest

from tests.unit.test_pod_table import row
from tests.unit.test_pod_table_scale import fresh_view
from tui.models.pods.row import PodRow, PodsListed
from tui.models.pods.table import PodTable


def page(*names: str, restarts: int = 0) -> dict[str, PodRow | None]:
    return {f"exp/{name}": row(name, restarts=restarts) for name in names}


def counted_rebuilds(table: PodTable, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    rebuild = table._rebuild

    def counted() -> None:
        calls.append(1)
        rebuild()

    monkeypatch.setattr(table, "_rebuild", counted)
    return calls


def test_pages_in_name_order_go_at_the_end_without_sorting_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    table = PodTable()
    table.apply(page("a-0", "a-1"))  # the first page: sorted once
    rebuilds = counted_rebuilds(table, monkeypatch)
    table.apply(page("a-3", "a-2"))  # (a page's own rows in any order)
    table.apply(page("b-0"))
    assert rebuilds == []
    assert table.view == ["exp/a-0", "exp/a-1", "exp/a-2", "exp/a-3", "exp/b-0"] == fresh_view(table)


def test_a_page_that_falls_inside_the_order_is_sorted_in() -> None:
    table = PodTable()
    table.apply(page("b", "d"))
    table.apply(page("c", "e"))
    table.apply(page("a"))
    assert table.view == ["exp/a", "exp/b", "exp/c", "exp/d", "exp/e"] == fresh_view(table)


@pytest.mark.parametrize("reverse", [False, True])
def test_pages_sorted_by_another_column_both_ways(reverse: bool) -> None:
    table = PodTable()
    table.sort_by("RESTARTS", reverse)
    table.apply(page("x", "y", restarts=1))
    table.apply(page("a", "b", restarts=1))  # ties: by name, wherever the page puts them
    table.apply(page("c", restarts=5))
    table.apply(page("d", restarts=0))
    assert table.view == fresh_view(table)
    assert table.view[0] == ("exp/c" if reverse else "exp/d")


def test_pages_under_a_filter_show_only_their_matching_rows() -> None:
    table = PodTable()
    table.apply(page("web-1", "db-1"))
    table.set_filter("web")
    table.apply(page("web-2", "zz-db-2"))
    assert table.view == ["exp/web-1", "exp/web-2"] == fresh_view(table)
    table.set_filter("")
    assert table.view == ["exp/db-1", "exp/web-1", "exp/web-2", "exp/zz-db-2"]


def test_the_lists_end_with_the_rows_shown_already_sorts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    table = PodTable()
    first, last = page("a", "b"), page("c")  # the last page comes only with the whole list
    table.apply(first)
    listed = [r for r in (first | last).values() if r is not None]
    rebuilds = counted_rebuilds(table, monkeypatch)
    table.replace_all(listed)
    assert rebuilds == []
    assert table.view == ["exp/a", "exp/b", "exp/c"]
    table.replace_all(listed)  # the same rows again
    assert rebuilds == []
    changed = [*listed[:2], dataclasses.replace(listed[2], status="Failed")]  # a row that differs: replaced
    table.replace_all(changed)
    assert rebuilds == [1]
    assert table.rows["exp/c"].status == "Failed"
    table.replace_all(listed[:2])  # one gone
    assert table.view == ["exp/a", "exp/b"]


def test_column_lengths_and_gpu_rows_are_counted_as_rows_come_and_go() -> None:
    table = PodTable()
    table.apply(page("short"))
    assert table.longest("NAME") == 5 and not table.any_gpus
    gpu = dataclasses.replace(row("a-much-longer-name"), gpus=2)
    table.apply({gpu.key: gpu})
    assert table.longest("NAME") == len("a-much-longer-name") and table.any_gpus
    table.apply({gpu.key: dataclasses.replace(gpu, gpus=0)})  # the same pod, no longer asking
    assert not table.any_gpus
    table.apply({gpu.key: None})
    assert table.longest("NAME") == 5
    table.replace_all([gpu])
    assert table.any_gpus and table.longest("NAME") == len("a-much-longer-name")


def test_a_rows_key_is_made_once_and_follows_a_replace() -> None:
    first = row("a")
    assert first.key == "exp/a" and first.key is first.key
    assert dataclasses.replace(first, namespace="other").key == "other/a"


def test_the_rows_of_a_list_of_many_pages_are_frozen_out_of_the_collectors_full_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gc.get_objects() lists what a collection walks; frozen objects are not in it (nor freed any later than by
    their reference counts). A list of one page is left to the collector: freezing would keep its garbage."""
    from tui.services.pods import watch

    def pod(name: str) -> dict[str, object]:
        return {"metadata": {"name": name, "namespace": "exp"}, "spec": {"containers": [{"image": "i"}]}, "status": {}}

    pages = {
        "": {"metadata": {"continue": "next"}, "items": [pod("p1")]},
        "next": {"metadata": {"resourceVersion": "7"}, "items": [pod("p2")]},
    }
    monkeypatch.setattr(watch, "list_page", lambda kube, path, token, **query: json.dumps(pages[token or ""]).encode())
    watcher = watch.PodWatcher(None, "exp")  # type: ignore[arg-type]  # (its requests are the pages above)
    try:
        *_, listed = list(watcher._list())
        assert isinstance(listed, PodsListed) and [r.key for r in listed.rows] == ["exp/p1", "exp/p2"]
        walked = {id(obj) for obj in gc.get_objects()}
        assert not {id(r) for r in listed.rows} & walked
    finally:
        gc.unfreeze()

    pages = {"": {"metadata": {"resourceVersion": "8"}, "items": [pod("alone")]}}
    watcher = watch.PodWatcher(None, "exp")  # type: ignore[arg-type]
    try:
        (listed,) = list(watcher._list())
        assert isinstance(listed, PodsListed) and any(obj is listed.rows[0] for obj in gc.get_objects())
    finally:
        gc.unfreeze()
