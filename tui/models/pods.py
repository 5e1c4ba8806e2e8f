"""A pod as one row of the pod list: plain values, already in kubectl's wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PodRow:
    namespace: str
    name: str
    ready: str  # "1/1"
    status: str  # kubectl's STATUS column: Running, Pending, CrashLoopBackOff, Completed ...
    restarts: int
    created: datetime | None
    ip: str
    node: str
    image: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"
