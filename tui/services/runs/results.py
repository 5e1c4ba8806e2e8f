"""Whether a run's pulled results are still here as they arrived: each file hashed again and compared with the
sha256 recorded at the pull. Reads whole files: call it on a worker thread, never the UI's; it stops when told."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from tui.models.runs.result_state import ResultsCheck, ResultsState
from tui.models.runs.run import RunResult

CHECK_BUDGET = 2 * 10**9  # bytes hashed at most for one run's page, all its pulls together (a few GB take minutes)
CHUNK = 1 << 20  # bytes read between two looks at `cancelled`: a 2 GB file stops within a millisecond or so

Cancelled = Callable[[], bool]


class CheckCancelled(Exception):
    """The check was told to stop (its page was left): no state to give."""


def _never() -> bool:
    return False


def check_results(
    results: Sequence[RunResult], cancelled: Cancelled = _never, budget: int | None = None
) -> Iterator[ResultsState]:
    """One state per pull, in order, each as soon as it is known; `budget` bytes are hashed at most over all of
    them (a pull that would pass it is not read, and said so). Ends early, without a word, once `cancelled()`."""
    total = CHECK_BUDGET if budget is None else budget
    left = total
    for result in results:
        if cancelled():
            return
        try:
            state = results_state(result, left, cancelled)
        except CheckCancelled:
            return
        if state.check is ResultsCheck.TOO_LARGE:
            state = replace(state, budget=total)  # said as the page's budget, not only what was left of it
        else:
            left -= state.size
        yield state


def results_state(result: RunResult, limit: int = CHECK_BUDGET, cancelled: Cancelled = _never) -> ResultsState:
    """match: every file recorded is there with its sha256; changed: some differ or are gone (files added since
    do not count); missing: the local path is gone; too large: more than `limit` bytes to read. `size`: the bytes
    read. Raises CheckCancelled once `cancelled()` (looked at between files and between chunks of one)."""
    root = Path(result.local_path)
    files = len(result.sha256)
    if not root.exists():
        return ResultsState(ResultsCheck.MISSING, files)
    present: dict[str, Path] = {}
    gone: list[str] = []
    size = 0
    for relative in result.sha256:
        path = root / relative  # `.` is a pulled file itself
        try:
            if path.is_file():
                size += path.stat().st_size
                present[relative] = path
                continue
        except OSError:  # gone since: counted as gone
            pass
        gone.append(relative)
    if size > limit:
        return ResultsState(ResultsCheck.TOO_LARGE, files, size=size, limit=limit)
    changed = list(gone)
    for relative, path in present.items():
        if cancelled():
            raise CheckCancelled
        if _sha256(path, cancelled) != result.sha256[relative]:
            changed.append(relative)
    if changed:
        return ResultsState(ResultsCheck.CHANGED, files, tuple(sorted(changed)), size=size)
    return ResultsState(ResultsCheck.MATCH, files, size=size)


def _sha256(path: Path, cancelled: Cancelled = _never) -> str | None:
    """None when it cannot be read (then it counts as changed: it is no longer what arrived)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if cancelled():
                    raise CheckCancelled
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
