"""`k8sx-tui runs list|show|logs|export` as a script calls it: the installed command, with $XDG_STATE_HOME
choosing the run records (filled here as the recorder and the log follower would)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.run_records import DIFF, HOSTILE, MAIN_LINES, fill_store
from tui.models.xdg import state_dir
from tui.services.runs.store import RunStore

K8SX_TUI = str(Path(sys.executable).with_name("k8sx-tui"))
NEWEST_FIRST = ["20261207-1255-cccc", "20261205-1200-bbbb", "20261201-0900-aaaa"]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    store = RunStore(state_dir({"XDG_STATE_HOME": str(state)}) / "runs")
    fill_store(store, time.time())
    store.close()
    return state


def runs(state: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8SX_TUI_")} | {"XDG_STATE_HOME": str(state)}
    return subprocess.run([K8SX_TUI, "runs", *argv], env=env, capture_output=True, timeout=60)


def test_list_is_a_table_newest_first_with_nothing_a_terminal_would_act_on(state: Path) -> None:
    done = runs(state, "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].split()[:4] == ["RUN", "ID", "NAME", "KIND"]
    assert [line.split()[0] for line in lines[1:]] == NEWEST_FIRST
    failed = lines[2]
    assert "train-big" in failed and "Job" in failed and "Failed (main: OOMKilled, exit 137)" in failed
    assert "abc1234+dirty" in failed and "0.3" in failed
    assert b"\x1b" not in done.stdout and "[bold]evil␛[31m" in lines[1]  # the escape shown, never sent


def test_list_json_is_every_run_newest_first(state: Path) -> None:
    done = runs(state, "list", "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert [item["id"] for item in items] == NEWEST_FIRST
    assert items[0]["name"] == HOSTILE  # JSON keeps it exactly (escaped as JSON escapes it)
    assert (items[1]["results"], items[1]["logs"], items[1]["code_label"]) == (1, 2, "abc1234+dirty")


def test_show_by_a_unique_prefix_prints_the_page_with_the_diff(state: Path) -> None:
    done = runs(state, "show", "20261205")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert text.startswith("Run 20261205-1200-bbbb: Job train-big\n")
    assert "commit abc1234def5678 on main" in text and "  +lr = 0.01  # [red]tuned[/red]" in text
    assert "main: terminated, exit 137, OOMKilled, 1 restart" in text
    assert "/home/u/results/train-big: 3 files" in text and "sidecar: 2 lines, complete" in text

    as_json = json.loads(runs(state, "show", "20261205-1200-bbbb", "--json").stdout)
    assert as_json["code"]["diff"] == DIFF and as_json["status"] == "Failed (main: OOMKilled, exit 137)"
    assert [archive["container"] for archive in as_json["logs"]] == ["main", "sidecar"]
    assert as_json["results"][0]["sha256"] == {"model.pt": "ee" * 32}


@pytest.mark.parametrize(
    ("run", "said"), [("nope", "no run 'nope'"), ("2026120", "more than one run starts with '2026120'")]
)
def test_an_unknown_or_ambiguous_run_is_said_with_exit_1(state: Path, run: str, said: str) -> None:
    for action in (["show", run], ["logs", run], ["export", run, str(state / "out")]):
        done = runs(state, *action)
        assert done.returncode == 1 and said in done.stderr.decode(), (action, done.stderr)
        assert b"Traceback" not in done.stderr


def test_logs_print_the_archived_log_byte_for_byte(state: Path) -> None:
    done = runs(state, "logs", "20261205-1200-bbbb", "--container", "main")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"".join(line + b"\n" for line in MAIN_LINES)
    assert runs(state, "logs", "20261201").stdout == b"prepared 12 shards\n"  # one container: no choice needed


def test_logs_of_several_containers_ask_which_one(state: Path) -> None:
    done = runs(state, "logs", "20261205-1200-bbbb")
    assert done.returncode == 2 and done.stdout == b""
    assert "choose one with --container (main, sidecar)" in done.stderr.decode()
    missing = runs(state, "logs", "20261205-1200-bbbb", "-c", "trainer")
    assert missing.returncode == 1 and "(it has: main, sidecar)" in missing.stderr.decode()
    none = runs(state, "logs", "20261207-1255-cccc")
    assert none.returncode == 1 and "has no archived log yet" in none.stderr.decode()


def test_export_writes_a_folder_and_refuses_one_with_files(state: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = runs(state, "export", "20261205-1200-bbbb", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "code.diff", "logs", "logs/main.log", "logs/sidecar.log", "manifest.yaml", "results.json", "run.json",
    ]  # fmt: skip
    again = runs(state, "export", "20261205-1200-bbbb", str(out))
    assert again.returncode == 1 and "is not an empty folder" in again.stderr.decode()


def test_runs_without_an_action_shows_usage(state: Path) -> None:
    done = runs(state)
    assert done.returncode == 2 and b"required: {list,show,logs,export}" in done.stderr


def test_a_damaged_or_newer_records_file_is_said_with_exit_1_never_a_traceback(tmp_path: Path) -> None:
    state = tmp_path / "state"
    records = state_dir({"XDG_STATE_HOME": str(state)}) / "runs"
    records.mkdir(parents=True)
    (records / "runs.sqlite3").write_bytes(b"not a database at all, " * 200)
    done = runs(state, "list")
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    assert f"the run records at {records} cannot be read: file is not a database" in done.stderr.decode()

    (records / "runs.sqlite3").unlink()
    store = RunStore(records)
    store.summaries()  # (made as this version makes it)
    store.close()
    with sqlite3.connect(records / "runs.sqlite3") as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()
    done = runs(state, "show", "x")
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    assert "are newer than this k8sx-tui knows" in done.stderr.decode()
