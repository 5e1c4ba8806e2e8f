"""`k8sx-tui runs list|show|logs|export`: the run records for scripts. The store is the app's own
($XDG_STATE_HOME/k8sx-tui/runs); nothing here talks to a cluster. A GKE run's log can come from Cloud Logging
through the user's own gcloud (`logs --cloud`, or when nothing is archived). Exit 0 when done, 1 when the run or its
log is not there or Cloud Logging could not be read (said on stderr), 2 when the arguments need a choice (which
container)."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from tui.models.logs.safe_text import safe_lines
from tui.models.runs.listing import COLUMNS, run_status, summary_cells
from tui.models.runs.page import run_page
from tui.models.runs.run import Run
from tui.services.runs.export import ExportRefused, export_run
from tui.services.runs.store import RunNotFound, RunStore

# `docker ps`'s order: the id first, the rest as the Runs screen shows them.
LIST_COLUMNS = ("RUN ID", *(column for column in COLUMNS if column != "ID"))


def run_runs(args: argparse.Namespace, store: RunStore | None = None) -> int:
    store = store or RunStore()
    try:
        match args.runs_command:
            case "list":
                return list_runs(store, args.json, sys.stdout)
            case "show":
                return show_run(store, args.run, args.json, sys.stdout)
            case "logs":
                return print_log(store, args.run, args.container, sys.stdout.buffer, args.cloud)
            case _:
                print(f"exported to {export_run(store, args.run, Path(args.folder).expanduser())}")
                return 0
    except (RunNotFound, ExportRefused) as exc:
        return _refused(str(exc), 1)
    except BrokenPipeError:  # `| head`: the reader has what it wanted; stdout is not flushed again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        return _refused(str(exc), 1)
    except sqlite3.Error as exc:  # a damaged file, or still locked by another writer after the busy timeout
        return _refused(f"the run records at {store.root} cannot be read: {exc}", 1)
    except RuntimeError as exc:  # (a file of a newer k8sx-tui, in words)
        return _refused(str(exc), 1)
    finally:
        store.close()


def _refused(text: str, code: int) -> int:
    _said(text)
    return code


def list_runs(store: RunStore, as_json: bool, out: TextIO) -> int:
    summaries = store.summaries()
    now = time.time()
    if as_json:
        items = [asdict(summary) | {"status": summary_cells(summary, now)[COLUMNS.index("STATUS")]}
                 for summary in summaries]  # fmt: skip
        out.write(json.dumps(items, indent=2) + "\n")
        return 0
    rows = [LIST_COLUMNS]
    for summary in summaries:
        cells = summary_cells(summary, now)  # control characters shown, never sent to the terminal
        rows.append((cells[-1], *cells[:-1]))
    widths = [max(len(row[column]) for row in rows) for column in range(len(LIST_COLUMNS))]
    for row in rows:
        out.write("   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
    return 0


def show_run(store: RunStore, run_id: str, as_json: bool, out: TextIO) -> int:
    run = store.get(run_id)
    results, logs = store.results(run.id), store.logs(run.id)
    if as_json:
        record: dict[str, Any] = asdict(run) | {"status": run_status(run)}
        record["results"] = [asdict(result) for result in results]
        record["logs"] = [asdict(archive) for archive in logs]
        out.write(json.dumps(record, indent=2) + "\n")
    else:
        out.write(safe_lines(run_page(run, results, logs)))
    return 0


def print_log(store: RunStore, run_id: str, container: str | None, out: BinaryIO, cloud: bool = False) -> int:
    """The archived log, or with `cloud` (or when none is archived, for a GKE run) Cloud Logging's; an archive's
    gaps are said on stderr after it, with where the lines may be."""
    from tui.services.logs.cloud_query import gke_project, not_gke
    from tui.services.runs.log_archive import key_parts, read_archived

    run = store.get(run_id)
    archives = store.logs(run.id)
    project = gke_project(run.context)
    if cloud and not project:
        return _refused(not_gke(run), 1)
    if cloud or (not archives and project):
        if not cloud:
            _said(f"run {run.id} has no archived log: reading it from Cloud Logging (project {project}) with gcloud")
        return print_cloud_log(run, project, container, out)
    names = ", ".join(archive.container for archive in archives)
    if container is not None:  # a Job's archives are `pod/container`: the container's name picks its pods' too
        archives = [a for a in archives if container in (a.container, key_parts(a.container)[1])]
        if not archives:
            return _refused(
                f"run {run.id} has no archived log of a container {container!r} (it has: {names or 'none'})", 1
            )
    if not archives:
        return _refused(f"run {run.id} has no archived log yet", 1)
    if len(archives) > 1:
        names = ", ".join(archive.container for archive in archives)
        return _refused(f"run {run.id} has logs of several containers: choose one with --container ({names})", 2)
    archive = archives[0]
    path = Path(archive.path)
    if not path.is_file():
        return _refused(f"the archived log of run {run.id} is gone: {path}", 1)
    for line in read_archived(path):
        out.write(line)
    out.flush()
    for gap in archive.gaps:
        _said(f"lines may be missing: {gap}")
    if archive.gaps and project:
        _said(f"Cloud Logging may have them: k8sx-tui runs logs {run.id} --cloud")
    return 0


def print_cloud_log(run: Run, project: str, container: str | None, out: BinaryIO) -> int:
    """The run's container log as Cloud Logging has it (read by the user's gcloud), without the timestamps."""
    from tui.services.logs.archived import manifest_containers
    from tui.services.logs.cloud_entries import CloudLoggingError, parse_entries
    from tui.services.logs.cloud_logging import GcloudRead, shortfalls
    from tui.services.logs.cloud_query import CloudQuery, container_query
    from tui.services.runs.log_archive import strip_timestamp

    declared = manifest_containers(run.manifest).containers
    if container is None and len(declared) > 1:
        return _refused(f"run {run.id} has several containers: choose one with --container ({', '.join(declared)})", 2)
    name = container or (declared[0] if declared else "")
    query = CloudQuery.of_run(run, project)
    query = container_query(query, name) if name else query
    try:
        output, cut = GcloudRead(query).run()
        parsed = parse_entries(output, cut)
    except CloudLoggingError as exc:
        return _refused(f"Cloud Logging: {exc}", 1)
    for line in parsed.lines:
        out.write(strip_timestamp(line))
    out.flush()
    for words in shortfalls(query, parsed, cut):
        _said(words)
    return 0


def _said(text: str) -> None:
    print(f"k8sx-tui runs: {text}", file=sys.stderr)
