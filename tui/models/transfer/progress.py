"""Progress and outcome of copying files between this machine and a pod."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TransferProgress:
    bytes_done: int
    bytes_total: int | None  # an estimate (du) when known
    files_done: int
    files_total: int | None
    current: str  # the file being written
    elapsed_s: float

    @property
    def rate(self) -> float:
        return self.bytes_done / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class TransferSummary:
    destination: Path
    files: int
    bytes: int
    verified: str  # "sha256" or "size"
    seconds: float
    refused: list[str] = field(default_factory=list)  # archive entries not written, and why
    sent: int = 0  # bytes that crossed the connection this time
    reused: int = 0  # bytes a resumed transfer kept from the cut one instead of sending them again
    note: str = ""  # how it went, when not the plain way (e.g. through a helper pod on the claim)


def refused_words(summary: TransferSummary) -> str:
    """`1 entry refused`, `3 entries refused`; "" when every entry of the archive was written."""
    count = len(summary.refused)
    if not count:
        return ""
    return f"{count:,} {'entry' if count == 1 else 'entries'} refused"


def refusal_lines(summary: TransferSummary, limit: int = 50) -> list[str]:
    """One line per refused entry, at most `limit` and then how many more."""
    lines = [f"not written: {why}" for why in summary.refused[:limit]]
    if len(summary.refused) > limit:
        lines.append(f"… and {len(summary.refused) - limit:,} more not written")
    return lines
