"""The local side of a pull's destination checks (the rules: models/transfer/destination.py): where home and the
working directory are, whether the path is a link, and what a folder about to be replaced holds."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from tui.models.transfer.destination import Facts, TreeSize, normalise, refusal

# Entries looked at before the count stops and says "more than": a huge tree must not hold up the UI thread.
COUNT_CAP = 10_000


def checked(destination: str | Path) -> tuple[Path, str | None]:
    """The destination made absolute and normalised by its text (`~` expanded), and why a pull must not replace
    it (None when it may)."""
    cwd = os.getcwd()
    path = normalise(os.path.expanduser(str(destination)), cwd)
    return Path(path), refusal(path, facts(path, cwd))


def facts(path: str, cwd: str) -> Facts:
    home = os.path.expanduser("~")
    parent, name = os.path.split(path)
    resolved = os.path.join(os.path.realpath(parent), name)
    real_home = os.path.realpath(home)
    return Facts(
        home, cwd, os.path.islink(path), resolved if resolved != path else "", real_home if real_home != home else ""
    )


def tree_size(paths: Sequence[Path], cap: int = COUNT_CAP) -> TreeSize:
    """Files and bytes in `paths` (folders or files; links counted as files, never followed), looking at no more
    than `cap` entries in all. What is not there, or cannot be read, adds nothing."""
    count = _Count(cap)
    folders: list[str] = []
    for path in paths:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            folders.append(str(path))
        elif not count.add(info):
            return count.size(complete=False)
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    folder = entry.is_dir(follow_symlinks=False)
                    if folder:
                        folders.append(entry.path)
                    if not count.add(None if folder else _lstat(entry)):
                        return count.size(complete=False)
        except OSError:
            continue
    return count.size(complete=True)


def _lstat(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat(follow_symlinks=False)
    except OSError:  # gone meanwhile
        return None


class _Count:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.seen = self.files = self.bytes = 0

    def add(self, info: os.stat_result | None) -> bool:
        """Count one entry (None: a folder); False once more than `cap` were looked at."""
        self.seen += 1
        if self.seen > self.cap:
            return False
        if info is not None:
            self.files += 1
            self.bytes += info.st_size if stat.S_ISREG(info.st_mode) else 0
        return True

    def size(self, complete: bool) -> TreeSize:
        return TreeSize(self.files, self.bytes, complete)
