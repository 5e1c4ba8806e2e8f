"""Whether a pull's local files are still what arrived: every file there with the sha256 recorded when it was
pulled, some changed or gone, the folder gone, or too large to check; or still being checked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.models.transfer.names import listed
from tui.models.units import counted, human_bytes


class ResultsCheck(StrEnum):
    MATCH = "match"
    CHANGED = "changed"
    MISSING = "missing"
    TOO_LARGE = "too large to check"
    CHECKING = "checking"  # the run's page is shown at once; each state comes when its files are hashed


@dataclass(frozen=True)
class ResultsState:
    check: ResultsCheck
    files: int = 0  # files the pull recorded
    changed: tuple[str, ...] = ()  # every one that differs or is gone, by path in the local folder (sorted)
    size: int = 0  # bytes there to hash: said when too large
    limit: int = 0  # bytes the page could still hash (its budget less what pulls above it took)
    budget: int = 0  # bytes a page hashes at most, all its pulls together

    @property
    def words(self) -> str:
        """One line for the run's page: `still matches (12 files)`, `changed: 2 of 12 files (a.txt, b.txt)`."""
        if self.check is ResultsCheck.MATCH:
            return f"still matches ({counted(self.files, 'file')}, sha256)"
        if self.check is ResultsCheck.CHANGED:
            which = listed(list(self.changed))
            return f"changed: {len(self.changed):,} of {counted(self.files, 'file')} differ or are gone ({which})"
        if self.check is ResultsCheck.MISSING:
            return "missing: the local copy is gone (deleted or moved)"
        if self.check is ResultsCheck.CHECKING:
            return f"checking… (sha256 of {counted(self.files, 'file')})"
        over = human_bytes(self.limit)
        if self.budget > self.limit:
            over += f" left of the {human_bytes(self.budget)} a run's page checks"
        return f"not checked: {human_bytes(self.size)} is too large to check (over {over})"
