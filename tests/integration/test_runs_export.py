"""export_run against a real run store on disk: the folder's files, logs byte for byte as archived, hostile
container names kept inside logs/, and a folder with files refused untouched."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support.run_records import DIFF, MAIN_LINES, fill_store, write_archive
from tui.services.runs.export import ExportRefused, export_run, log_file_name
from tui.services.runs.store import RunNotFound, RunStore


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    store = RunStore(tmp_path / "state" / "runs")
    fill_store(store, time.time())
    return store


def test_a_run_is_exported_with_manifest_metadata_diff_logs_and_results(store: RunStore, tmp_path: Path) -> None:
    out = export_run(store, "20261205", tmp_path / "out")  # a unique prefix is enough
    assert out == tmp_path / "out"
    run = store.get("20261205-1200-bbbb")
    assert (out / "manifest.yaml").read_text() == run.manifest
    assert (out / "code.diff").read_text() == DIFF
    assert (out / "logs" / "main.log").read_bytes() == b"".join(line + b"\n" for line in MAIN_LINES)
    assert (out / "logs" / "sidecar.log").read_bytes() == b"sidecar up\nsidecar done\n"
    metadata = json.loads((out / "run.json").read_text())
    assert metadata["id"] == run.id and metadata["digests"] == list(run.digests)
    assert metadata["containers"][1] == {
        "name": "main", "state": "terminated", "exit_code": 137, "reason": "OOMKilled", "restarts": 1,
        "image_id": "sha256:feed",
    }  # fmt: skip
    assert [(log["container"], log["exported"]) for log in metadata["logs"]] == [
        ("main", "logs/main.log"),
        ("sidecar", "logs/sidecar.log"),
    ]
    results = json.loads((out / "results.json").read_text())
    assert results[0]["local_path"] == "/home/u/results/train-big" and results[0]["sha256"] == {"model.pt": "ee" * 32}


def test_a_run_without_diff_or_results_has_no_diff_file_and_an_empty_results_list(
    store: RunStore, tmp_path: Path
) -> None:
    out = export_run(store, "20261207-1255-cccc", tmp_path / "new" / "deeper")
    assert not (out / "code.diff").exists() and not (out / "logs").exists()
    assert json.loads((out / "results.json").read_text()) == []


def test_hostile_container_names_stay_inside_logs(store: RunStore, tmp_path: Path) -> None:
    run_id = "20261207-1255-cccc"
    for name in ("../escape", "/etc/passwd", "..", "a/../../b", "main"):
        write_archive(store, run_id, name, [name.encode()])
    out = export_run(store, run_id, tmp_path / "out")
    written = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.log"))
    assert all(path.startswith("out/logs/") and path.count("/") == 2 for path in written), written
    assert len(written) == 5 and not (tmp_path / "escape.log").exists()
    assert (out / "logs" / "main.log").read_bytes() == b"main\n"  # a real name is kept as it is
    exported = {log["container"]: log["exported"] for log in json.loads((out / "run.json").read_text())["logs"]}
    assert (out / str(exported["../escape"])).read_bytes() == b"../escape\n"


def test_file_names_are_unique_and_plain() -> None:
    taken: set[str] = set()
    names = []
    for container in ("a/b", "a_b", "..", ".hidden", ""):
        names.append(log_file_name(container, taken))
        taken.add(names[-1])
    assert names == ["a_b.log", "a_b-2.log", "_...log", "_.hidden.log", "_.log"]


def test_a_folder_with_files_is_refused_and_left_as_it_was(store: RunStore, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep")
    with pytest.raises(ExportRefused, match="is not an empty folder"):
        export_run(store, "20261205-1200-bbbb", tmp_path / "busy")
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["mine.txt"]
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ExportRefused):
        export_run(store, "20261205-1200-bbbb", tmp_path / "a-file")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (export_run(store, "20261205-1200-bbbb", empty) / "run.json").exists()


def test_an_unknown_run_is_refused_before_anything_is_written(store: RunStore, tmp_path: Path) -> None:
    with pytest.raises(RunNotFound):
        export_run(store, "nope", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_archive_file_that_is_gone_is_said_in_run_json(store: RunStore, tmp_path: Path) -> None:
    Path(store.logs("20261201-0900-aaaa")[0].path).unlink()
    out = export_run(store, "20261201-0900-aaaa", tmp_path / "out")
    assert json.loads((out / "run.json").read_text())["logs"][0]["exported"] is None
