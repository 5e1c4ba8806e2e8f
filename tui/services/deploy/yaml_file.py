"""The file the Deploy editor's text came from, and writing the text back to it: atomically (a temporary file in the
same folder, then renamed over it), and noticing when the file changed on disk since it was read, so an edit made
elsewhere is not overwritten without asking."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

Stamp = tuple[int, int] | None  # (mtime in ns, size); None: no such file


def stamp_of(path: Path) -> Stamp:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@dataclass(frozen=True)
class EditedFile:
    path: Path
    stamp: Stamp  # as read, or as last written

    @classmethod
    def read(cls, path: Path) -> tuple[EditedFile, str]:
        """The file and its text; OSError or UnicodeDecodeError as raised."""
        stamp = stamp_of(path)
        return cls(path, stamp), path.read_text()

    def changed_on_disk(self) -> bool:
        return stamp_of(self.path) != self.stamp


def write_text(path: Path, text: str) -> EditedFile:
    """Write atomically (keeping the file's permissions); OSError as raised, nothing half-written left behind."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644  # mkstemp's own is 0600
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return EditedFile(path, stamp_of(path))
