"""The run records in SQLite: a run kept and read back whole (by its id or the start of it), updated in place,
listed newest first with its pulls and archived logs counted; an older file brought up to date, a newer one refused
in words; two stores on one folder (two app instances, the CLI) writing at once lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tui.models.runs.run import CodeState, ContainerEnd, LogArchive, Run, RunResult
from tui.services.runs.store import MIGRATIONS, RunNotFound, RunStore, new_run_id


def a_run(run_id: str = "20261207-1255-3fa9", created: float = 1_000.0, name: str = "exp", **changes: object) -> Run:
    run = Run(
        id=run_id,
        name=name,
        kind="Pod",
        namespace="team",
        context="kind-k8sx",
        server="https://127.0.0.1:6443",
        created=created,
        manifest="apiVersion: v1\nkind: Pod\nmetadata: {name: exp}\n",
        images=("127.0.0.1:5000/team/train:0.3", "busybox"),
        code=CodeState("/work/exp", "abc1234def", "main", "+lr = 0.2\n", ("new\nline.py",), note="cut"),
        project="image: train\nregistry: 127.0.0.1:5000\n",
        params={"containers": {"main": {"args": ["--lr", "0.2"], "env": {"SEED": "1"}}}, "index": 3},
        requests={"cpu": "1500m", "memory": "2Gi", "gpu": "1"},
        containers=(ContainerEnd("main", "terminated", 0, "Completed", 1, "reg/x@sha256:abc"),),
        digests=("sha256:abc",),
    )
    return replace(run, **changes)  # type: ignore[arg-type]


def test_a_run_is_read_back_whole_by_its_id_or_the_start_of_it(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = a_run()
    store.record(run)
    assert store.get(run.id) == run
    assert RunStore(tmp_path).get("20261207-1255-3f") == run  # another instance: it is on disk
    assert store.get("2026") == run


def test_an_unknown_or_ambiguous_id_is_said_in_words(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run("20261207-1255-3fa9"))
    store.record(a_run("20261207-1255-3fb0"))
    with pytest.raises(RunNotFound, match="more than one run starts with '20261207-1255-3f'"):
        store.get("20261207-1255-3f")
    with pytest.raises(RunNotFound, match="no run 'nope'"):
        store.get("nope")
    for wildcard in ("%", "2026120_", "_"):  # LIKE's own characters mean themselves
        with pytest.raises(RunNotFound, match="no run"):
            store.get(wildcard)
    assert store.get("20261207-1255-3fb0").id == "20261207-1255-3fb0"


def test_an_id_that_starts_another_is_still_its_own(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run("abc"))
    store.record(a_run("abcd"))
    assert store.get("abc").id == "abc"


def test_recording_the_same_id_again_updates_it_in_place(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = a_run()
    store.record(run)
    over = replace(run, phase="Failed", ended=1_060.0, node="kwok-node-0", images=("reg/other:1",))
    store.record(over)
    assert store.get(run.id) == over
    (summary,) = store.summaries()
    assert (summary.phase, summary.ended, summary.image_tag) == ("Failed", 1_060.0, "1")
    assert store.unfinished() == []


def test_summaries_are_newest_first_with_their_pulls_and_archived_logs_counted(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    for number, created in enumerate((300.0, 100.0, 200.0)):
        store.record(a_run(f"run-{number}", created, code=None))
    store.add_result(RunResult("run-1", 400.0, "/tmp/out", 2, 10, {"a.txt": "00", "b/c.txt": "11"}))
    store.add_result(RunResult("run-1", 500.0, "/tmp/out2", 1, 5))
    store.set_log(LogArchive("run-2", "main", "/x/main.log.gz"))
    summaries = store.summaries()
    assert [s.id for s in summaries] == ["run-0", "run-2", "run-1"]
    assert [(s.results, s.logs) for s in summaries] == [(0, 0), (0, 1), (2, 0)]
    assert (summaries[0].image_tag, summaries[0].code_label) == ("0.3", "")
    assert [s.id for s in store.summaries(limit=2)] == ["run-0", "run-2"]
    assert store.results("run-1") == [
        RunResult("run-1", 400.0, "/tmp/out", 2, 10, {"a.txt": "00", "b/c.txt": "11"}),
        RunResult("run-1", 500.0, "/tmp/out2", 1, 5),
    ]


def test_a_log_archive_is_updated_in_place_as_it_grows(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run())
    path = str(store.folder(a_run().id) / "main.log.gz")
    store.set_log(LogArchive(a_run().id, "main", path, 10, "2026-12-07T12:00:00.1Z"))
    grown = LogArchive(a_run().id, "main", path, 20, "2026-12-07T12:00:09.5Z", True, ("app closed 12:00 to 12:40",))
    store.set_log(grown)
    store.set_log(LogArchive(a_run().id, "side", path.replace("main", "side")))
    assert store.logs(a_run().id) == [grown, LogArchive(a_run().id, "side", path.replace("main", "side"))]
    assert store.folder(a_run().id) == tmp_path / a_run().id


def test_the_newest_run_of_a_name_and_the_unfinished_ones(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run("old", 100.0))
    store.record(a_run("new", 200.0))
    store.record(a_run("done", 300.0, name="other", phase="Succeeded"))
    latest = store.latest_for("kind-k8sx", "team", "exp")
    assert latest is not None and latest.id == "new"
    assert store.latest_for("kind-k8sx", "elsewhere", "exp") is None
    assert [run.id for run in store.unfinished()] == ["old", "new"]


def test_a_file_of_schema_version_0_is_brought_up_to_date(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "runs.sqlite3").close()  # an empty database: user_version 0
    store = RunStore(tmp_path)
    store.record(a_run())
    assert store.get(a_run().id) == a_run()
    with sqlite3.connect(tmp_path / "runs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_a_newer_k8sx_tui_is_refused_in_words_and_left_alone(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "runs.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store = RunStore(tmp_path)
    with pytest.raises(RuntimeError, match=r"newer than this k8sx-tui knows .*: update it"):
        store.summaries()
    with sqlite3.connect(tmp_path / "runs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_run_written_by_an_older_version_without_newer_fields_is_still_read(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run())
    with sqlite3.connect(tmp_path / "runs.sqlite3") as db:
        data = db.execute("SELECT data FROM runs").fetchone()[0]
        older = data.replace(', "note": "cut"', "").replace(', "digests": ["sha256:abc"]', "")
        assert older != data
        db.execute("UPDATE runs SET data = ?", (older,))
    again = store.get(a_run().id)
    assert again.code is not None and again.code.note == "" and again.digests == ()


def test_a_run_written_by_a_newer_version_with_more_fields_is_still_read(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(a_run())
    with sqlite3.connect(tmp_path / "runs.sqlite3") as db:
        data = json.loads(db.execute("SELECT data FROM runs").fetchone()[0])
        data["future"] = 1
        data["code"]["future"] = 2
        data["containers"][0]["future"] = 3
        db.execute("UPDATE runs SET data = ?", (json.dumps(data),))
    assert store.get(a_run().id) == a_run()


def _write_runs(root: str, prefix: str, count: int) -> None:
    store = RunStore(Path(root))
    for number in range(count):
        store.record(a_run(f"{prefix}-{number:03}", float(number)))
        if number % 10 == 0:
            store.record(a_run(f"{prefix}-{number:03}", float(number), phase="Running"))
    store.close()


def test_two_stores_on_one_folder_writing_at_once_from_threads_lose_nothing(tmp_path: Path) -> None:
    stores = [RunStore(tmp_path), RunStore(tmp_path)]
    threads = [
        threading.Thread(target=_write_runs, args=(str(tmp_path), f"t{number}", 50)) for number in range(4)
    ] + [threading.Thread(target=lambda s=s, n=n: [s.record(a_run(f"s{n}-{i}")) for i in range(50)])
         for n, s in enumerate(stores)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(RunStore(tmp_path).summaries()) == 6 * 50


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")  # two app instances: nothing shared but the file
    processes = [context.Process(target=_write_runs, args=(str(tmp_path), f"p{n}", 100)) for n in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    summaries = RunStore(tmp_path).summaries()
    assert len(summaries) == 300
    assert {s.phase for s in summaries if s.id.endswith("-010")} == {"Running"}


def test_new_run_ids_sort_by_time_and_are_short() -> None:
    early, late = new_run_id(1_800_000_000.0), new_run_id(1_800_000_100.0)
    assert early < late and len(early) == len("20261207-1255-3fa9")
