"""Numbers as people read them."""

from __future__ import annotations


def human_bytes(count: float) -> str:
    """Decimal units as the docker CLI prints sizes: 532B, 4.1kB, 12.3MB, 1.2GB."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f}{unit}" if unit == "B" else f"{count:.1f}{unit}"
        count /= 1000
    raise AssertionError("unreachable")


def counted(count: int, noun: str) -> str:
    """`1 file`, `2 files`: nouns that take an s."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
