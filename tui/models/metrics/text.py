"""Figures as the columns print them: `kubectl top`'s units (250m, 300Mi), whole percent, n/a when unknown."""

from __future__ import annotations

NOT_KNOWN = "n/a"


def cpu_text(millicores: int | None) -> str:
    return NOT_KNOWN if millicores is None else f"{millicores}m"


def memory_text(count: int | None) -> str:
    """Bytes in MiB as `kubectl top` prints them (rounded up); GiB with one decimal from 10 GiB on."""
    if count is None:
        return NOT_KNOWN
    if count >= 10 * 2**30:
        return f"{count / 2**30:.1f}Gi"
    return f"{-(-count // 2**20)}Mi"


def percent_text(value: int | None) -> str:
    return NOT_KNOWN if value is None else f"{value}%"


def gpu_text(count: int | None) -> str:
    """GPUs asked for: blank for none, so a column of CPU-only pods stays quiet."""
    return "" if not count else str(count)
