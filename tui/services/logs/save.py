"""Save a log history (or the lines a filter shows) to a file, as the Logs screen shows them."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path

from tui.models.logs.match import split_line
from tui.services.logs.history import MARKER_SOURCE, LogHistory


@dataclass(frozen=True)
class SaveJob:
    """What to write, fixed when the user asked: lines appended meanwhile are not part of it."""

    history: LogHistory
    path: Path
    rows: array[int] | None
    labels: list[bytes]
    timestamps: bool
    last: int

    def run(self, overwrite: bool) -> int:
        """Write the lines as the screen shows them: the source's prefix when there are several, the timestamp when
        shown, the message as the container wrote it (colour escapes kept, as `kubectl logs > file` keeps them).
        Without `overwrite` the file is opened exclusively: one that appeared meanwhile is never overwritten.
        Returns how many lines were written."""
        written = 0
        with self.path.open("wb" if overwrite else "xb") as out:
            batch: list[bytes] = []
            for index, line in self.history.iter_lines(self.rows):
                if index >= self.last:
                    break
                source = self.history.source(index)
                if source == MARKER_SOURCE:
                    continue
                if not self.timestamps:
                    line = split_line(line)[1]
                batch.append(self.labels[source] + line if self.labels else line)
                if len(batch) >= 8192:
                    out.write(b"\n".join(batch) + b"\n")
                    written += len(batch)
                    batch = []
            if batch:
                out.write(b"\n".join(batch) + b"\n")
                written += len(batch)
        return written
