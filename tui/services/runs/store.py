"""The run records: SQLite under $XDG_STATE_HOME/k8sx-tui/runs/runs.sqlite3, large files (logs) beside it in one
folder per run. WAL mode and a busy timeout make two app instances (and the CLI) safe together; the schema's
version is SQLite's user_version, and MIGRATIONS brings an older file up to date when it is opened."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from tui.models.runs.listing import SummaryRecord
from tui.models.runs.run import CodeState, ContainerEnd, LogArchive, Run, RunResult, RunSummary
from tui.models.xdg import state_dir

BUSY_TIMEOUT_MS = 10_000

# Each entry takes the file from version N to N+1; never edit one that shipped, add the next.
MIGRATIONS = (
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, created REAL NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        namespace TEXT NOT NULL, context TEXT NOT NULL, phase TEXT NOT NULL, ended REAL,
        image_tag TEXT NOT NULL, code_label TEXT NOT NULL, failure TEXT NOT NULL, data TEXT NOT NULL
    );
    CREATE INDEX runs_created ON runs (created DESC);
    CREATE INDEX runs_target ON runs (context, namespace, name);
    CREATE TABLE results (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, at REAL NOT NULL,
        local_path TEXT NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL
    );
    CREATE INDEX results_run ON results (run_id);
    CREATE TABLE logs (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, container TEXT NOT NULL,
        path TEXT NOT NULL, lines INTEGER NOT NULL, last_time TEXT NOT NULL, complete INTEGER NOT NULL,
        gaps TEXT NOT NULL, PRIMARY KEY (run_id, container)
    );
    """,
)


class RunNotFound(Exception):
    """No run has that id (or an id starting so), or several do."""


def new_run_id(now: float | None = None) -> str:
    """Sortable by time and short enough to type: 20261207-1255-3fa9."""
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(now if now is not None else time.time()))
    return f"{stamp}-{secrets.token_hex(2)}"


class RunStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or state_dir() / "runs"
        self._local = threading.local()  # one connection per thread: sqlite3 connections stay on their thread

    # ------------------------------------------------------------------ connection

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.root / "runs.sqlite3", timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                _while_locked(lambda: connection.execute("PRAGMA journal_mode = WAL"))  # takes no busy timeout
                connection.execute("PRAGMA synchronous = NORMAL")  # with WAL: a crash may lose the last commits only
                connection.execute("PRAGMA foreign_keys = ON")
                _while_locked(lambda: self._migrate(connection))
            except BaseException:
                connection.close()
                raise
            self._local.connection = connection
        return connection

    @staticmethod
    def _migrate(connection: sqlite3.Connection) -> None:
        with connection:  # one transaction: a second instance opening at the same time waits, then sees it done
            connection.execute("BEGIN IMMEDIATE")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"the run records ({version}) are newer than this k8sx-tui knows ({len(MIGRATIONS)}): update it"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        with connection:
            yield connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def folder(self, run_id: str) -> Path:
        """Where the run's large files go (its archived logs)."""
        return self.root / run_id

    # ------------------------------------------------------------------ runs

    def record(self, run: Run) -> None:
        """A new run, or the same run's newer state (phase, node, containers' ends)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (id, created, name, kind, namespace, context, phase, ended, image_tag, code_label,"
                " failure, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " phase = excluded.phase, ended = excluded.ended, data = excluded.data, image_tag = excluded.image_tag,"
                " failure = excluded.failure",
                (
                    run.id, run.created, run.name, run.kind, run.namespace, run.context, run.phase, run.ended,
                    run.image_tag, run.code.label if run.code else "", run.failure,
                    json.dumps(_run_data(run)),
                ),
            )  # fmt: skip

    def get(self, run_id: str) -> Run:
        """The run whose id is `run_id` or starts with it (RunNotFound if none or several)."""
        rows = (
            self._connection()
            .execute(
                "SELECT data FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id = ? DESC LIMIT 2",
                (run_id, _like_prefix(run_id), run_id),
            )
            .fetchall()
        )
        if not rows:
            raise RunNotFound(f"no run {run_id!r} (k8sx-tui runs list shows them)")
        exact = json.loads(rows[0][0])
        if len(rows) > 1 and exact["id"] != run_id:
            raise RunNotFound(f"more than one run starts with {run_id!r}: give more of its id")
        return _run_from(exact)

    def latest_for(self, context: str, namespace: str, name: str) -> Run | None:
        """The newest run of that pod or Job name (the one a pod seen now belongs to)."""
        row = (
            self._connection()
            .execute(
                "SELECT data FROM runs WHERE context = ? AND namespace = ? AND name = ? ORDER BY created DESC LIMIT 1",
                (context, namespace, name),
            )
            .fetchone()
        )
        return _run_from(json.loads(row[0])) if row else None

    def unfinished(self) -> list[Run]:
        """Runs not known to be over: their pods are followed (status, logs) while the app runs."""
        rows = (
            self._connection()
            .execute("SELECT data FROM runs WHERE phase NOT IN ('Succeeded', 'Failed', 'Deleted') ORDER BY created")
            .fetchall()
        )
        return [_run_from(json.loads(row[0])) for row in rows]

    def summaries(self, limit: int | None = None) -> list[RunSummary]:
        """Newest first, with how many pulls and archived logs each has."""
        return [RunSummary(*record) for record in self.summary_records(limit)]

    def summary_records(self, limit: int | None = None) -> list[SummaryRecord]:
        """The summaries as rows of RunSummary's fields: the Runs screen makes a RunSummary only for a run it shows
        (10,000 of them made up front took a third of the query's time)."""
        query = (
            "SELECT r.id, r.name, r.kind, r.namespace, r.created, r.phase, r.ended, r.image_tag, r.code_label,"
            " (SELECT count(*) FROM results WHERE run_id = r.id), (SELECT count(*) FROM logs WHERE run_id = r.id),"
            " r.failure FROM runs r ORDER BY r.created DESC"
        )
        rows = self._connection().execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
        return rows.fetchall()

    # ------------------------------------------------------------------ results and logs

    def add_result(self, result: RunResult) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO results (run_id, at, local_path, files, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (result.run_id, result.at, result.local_path, result.files, result.bytes, json.dumps(result.sha256)),
            )

    def results(self, run_id: str) -> list[RunResult]:
        rows = self._connection().execute(
            "SELECT run_id, at, local_path, files, bytes, sha256 FROM results WHERE run_id = ? ORDER BY at", (run_id,)
        )
        return [RunResult(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows.fetchall()]

    def set_log(self, archive: LogArchive) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO logs (run_id, container, path, lines, last_time, complete, gaps)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, container) DO UPDATE SET lines = excluded.lines,"
                " last_time = excluded.last_time, complete = excluded.complete, gaps = excluded.gaps,"
                " path = excluded.path",
                (
                    archive.run_id, archive.container, archive.path, archive.lines, archive.last_time,
                    int(archive.complete), json.dumps(list(archive.gaps)),
                ),
            )  # fmt: skip

    def logs(self, run_id: str) -> list[LogArchive]:
        rows = self._connection().execute(
            "SELECT run_id, container, path, lines, last_time, complete, gaps FROM logs WHERE run_id = ?"
            " ORDER BY container",
            (run_id,),
        )
        return [LogArchive(r[0], r[1], r[2], r[3], r[4], bool(r[5]), tuple(json.loads(r[6]))) for r in rows.fetchall()]


def _while_locked(step: Callable[[], object]) -> None:
    """`step` again while another connection holds the lock it needs (switching a new file to WAL, a migration
    racing another instance's), up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _run_data(run: Run) -> dict[str, Any]:
    return asdict(run)


def _run_from(data: dict[str, Any]) -> Run:
    code = data.get("code")
    run = Run(**_known(Run, data))
    return replace(
        run,
        images=tuple(run.images),
        digests=tuple(run.digests),
        code=CodeState(**{**_known(CodeState, code), "untracked": tuple(code.get("untracked", ()))}) if code else None,
        containers=tuple(ContainerEnd(**_known(ContainerEnd, end)) for end in data.get("containers", ())),
    )


def _known(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    """The fields `kind` has: a record written by a newer k8sx-tui (a field added, same schema) is still read."""
    names = {f.name for f in fields(kind)}
    return {key: value for key, value in data.items() if key in names}
