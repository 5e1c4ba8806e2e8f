"""Whether a run's pulled results are still here as they arrived: each file hashed again and compared with the
sha256 recorded at the pull. Reads whole files: call it on a worker thread, never the UI's."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path

from tui.models.runs.result_state import ResultsCheck, ResultsState
from tui.models.runs.run import RunResult

CHECK_LIMIT = 2 * 10**9  # bytes hashed at most per pull: more is said, not read (a few GB take tens of seconds)


def results_state(result: RunResult, limit: int = CHECK_LIMIT) -> ResultsState:
    """match: every file recorded is there with its sha256; changed: some differ or are gone (files added since
    do not count); missing: the local path is gone; too large: more than `limit` bytes to read."""
    root = Path(result.local_path)
    files = len(result.sha256)
    if not root.exists():
        return ResultsState(ResultsCheck.MISSING, files)
    present: dict[str, Path] = {}
    gone: list[str] = []
    size = 0
    for relative in result.sha256:
        path = root / relative  # `.` is a pulled file itself
        if path.is_file():
            present[relative] = path
            with contextlib.suppress(OSError):  # gone since: its hash says so below
                size += path.stat().st_size
        else:
            gone.append(relative)
    if size > limit:
        return ResultsState(ResultsCheck.TOO_LARGE, files, size=size, limit=limit)
    changed = gone + [relative for relative, path in present.items() if _sha256(path) != result.sha256[relative]]
    if changed:
        return ResultsState(ResultsCheck.CHANGED, files, tuple(sorted(changed)))
    return ResultsState(ResultsCheck.MATCH, files)


def results_states(results: Sequence[RunResult], limit: int = CHECK_LIMIT) -> list[ResultsState]:
    """One state per pull, in the same order: what the run's page shows beside each."""
    return [results_state(result, limit) for result in results]


def _sha256(path: Path) -> str | None:
    """None when it cannot be read (then it counts as changed: it is no longer what arrived)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
