"""Run records for the Runs screen, CLI and export tests: Run objects as the recorder would write them, and log
archives in the agreed format (gzip of "<RFC3339Nano> <line>\\n", as the API server sends with timestamps=true)."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path
from typing import Any

from tui.models.runs.run import CodeState, ContainerEnd, LogArchive, Run, RunResult
from tui.services.runs.store import RunStore

HOSTILE = "[bold]evil\x1b[31m"  # markup and an escape sequence, as a manifest or a name may hold
DIFF = "--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.01  # [red]tuned[/red]\n"

# What a container wrote: an escape sequence, a CR inside a line, invalid UTF-8 and a NUL: kept byte for byte.
MAIN_LINES = [b"epoch 1 loss 0.9", b"\x1b[31mwarning\x1b[0m: slow", b"progress 50%\rprogress 100%", b"\xff\xfe\x00raw"]


def make_run(run_id: str, name: str, created: float, **changes: Any) -> Run:
    run = Run(
        id=run_id,
        name=name,
        kind="Pod",
        namespace="experiments",
        context="kind-local",
        server="https://127.0.0.1:6443",
        created=created,
        manifest=f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n",
        images=("127.0.0.1:5000/exp/train:0.3",),
    )
    return replace(run, **changes)


def sample_runs(now: float) -> list[Run]:
    """Three runs: an old one that succeeded, a failed one with a dirty checkout, and a hostile one (newest)."""
    return [
        make_run(
            "20261201-0900-aaaa",
            "prep-data",
            now - 6 * 86400,
            phase="Succeeded",
            started=now - 6 * 86400 + 5,
            ended=now - 6 * 86400 + 65,
            code=CodeState(folder="/work/prep", content_hash="c0ffee" * 10),
        ),
        make_run(
            "20261205-1200-bbbb",
            "train-big",
            now - 2 * 3600,
            kind="Job",
            phase="Failed",
            started=now - 2 * 3600 + 10,
            ended=now - 3600,
            node="kwok-node-0",
            pod="train-big-x7k2p",
            code=CodeState(folder="/work/train", commit="abc1234def5678", branch="main", diff=DIFF),
            params={"env": {"LR": "0.01"}, "index": 3},
            requests={"cpu": "2", "memory": "4Gi"},
            containers=(
                ContainerEnd("sidecar", "terminated", 0, "Completed"),
                ContainerEnd("main", "terminated", 137, "OOMKilled", restarts=1, image_id="sha256:feed"),
            ),
            digests=("127.0.0.1:5000/exp/train@sha256:" + "ab" * 32,),
        ),
        make_run(
            "20261207-1255-cccc",
            HOSTILE,
            now - 60,
            phase="Running",
            manifest=f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  annotations: {{note: '{HOSTILE}'}}\n",
        ),
    ]


def write_archive(store: RunStore, run_id: str, container: str, lines: list[bytes], complete: bool = True) -> Path:
    """The archive of one container's log, as the follower writes it, recorded in the store."""
    folder = store.folder(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{container.replace('/', '_')}.log.gz"
    stamps = [f"2026-12-07T12:00:{second:02d}.{second:09d}Z".encode() for second in range(len(lines))]
    with gzip.open(path, "wb") as out:
        out.writelines(stamp + b" " + line + b"\n" for stamp, line in zip(stamps, lines, strict=True))
    store.set_log(LogArchive(run_id, container, str(path), lines=len(lines), complete=complete))
    return path


def fill_store(store: RunStore, now: float) -> list[Run]:
    runs = sample_runs(now)
    for run in runs:
        store.record(run)
    failed = runs[1].id
    write_archive(store, failed, "main", MAIN_LINES)
    write_archive(store, failed, "sidecar", [b"sidecar up", b"sidecar done"])
    write_archive(store, runs[0].id, "main", [b"prepared 12 shards"])
    store.add_result(RunResult(failed, now - 1800, "/home/u/results/train-big", 3, 2048, {"model.pt": "ee" * 32}))
    return runs
