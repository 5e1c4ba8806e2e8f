"""A run as a folder to keep or send: manifest.yaml, run.json (every recorded fact), code.diff, results.json and
logs/<container>.log (the archived log as plain text, byte-identical to what `kubectl logs` printed)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tui.models.runs.run import LogArchive
from tui.services.runs.store import RunStore

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


class ExportRefused(Exception):
    """The folder cannot take the export (it holds files already, or is a file)."""


def export_run(store: RunStore, run_id: str, folder: Path) -> Path:
    """Writes the run `run_id` (an id or a unique prefix: RunNotFound otherwise) into `folder`, which must be new
    or empty, and returns it."""
    run = store.get(run_id)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportRefused(f"{folder} is not an empty folder: choose a new one")
    archives = store.logs(run.id)
    results = store.results(run.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(run.manifest, encoding="utf-8")
    if run.code is not None and run.code.diff:
        (folder / "code.diff").write_text(run.code.diff, encoding="utf-8")
    written = _write_logs(archives, folder / "logs")
    metadata: dict[str, Any] = asdict(run)
    metadata["logs"] = [asdict(archive) | {"exported": written.get(archive.container)} for archive in archives]
    (folder / "run.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "results.json").write_text(
        json.dumps([asdict(result) for result in results], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


def _write_logs(archives: list[LogArchive], logs: Path) -> dict[str, str | None]:
    """Each container's archived log as logs/<name>.log; by container, the file's path in the folder (None when
    its archive file is gone)."""
    from tui.services.runs.log_archive import read_archived

    written: dict[str, str | None] = {}
    taken: set[str] = set()
    for archive in archives:
        source = Path(archive.path)
        if not source.is_file():
            written[archive.container] = None
            continue
        name = log_file_name(archive.container, taken)
        taken.add(name)
        logs.mkdir(exist_ok=True)
        with (logs / name).open("wb") as out:
            for line in read_archived(source):
                out.write(line)
        written[archive.container] = f"logs/{name}"
    return written


def log_file_name(container: str, taken: set[str]) -> str:
    """A file name inside logs/ for a container's name as the store holds it: Kubernetes allows only a-z, 0-9 and
    `-`, so a real name is kept; anything else (`../x`, `/etc/passwd`) becomes a plain name that cannot leave."""
    stem = _UNSAFE_NAME.sub("_", container)
    if not stem or stem.startswith("."):
        stem = "_" + stem
    name, number = f"{stem}.log", 2
    while name in taken:
        name, number = f"{stem}-{number}.log", number + 1
    return name
