"""A pod as one row of the pod list: plain values, already in kubectl's wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tui.models.metrics.resources import Amounts

NO_AMOUNTS = Amounts()


def short_age(created: datetime | None, now: datetime) -> str:
    """kubectl's short age: 45s, 12m, 3h, 5d."""
    if created is None:
        return "?"
    seconds = max(0, int((now - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True, slots=True)  # slots: no __dict__, one object fewer a row for the collector to walk
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
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    resource_version: str = ""
    # What the spec asks for (summed as the scheduler sums it): the %/R and %/L columns divide usage by these.
    requests: Amounts = NO_AMOUNTS
    limits: Amounts = NO_AMOUNTS
    gpus: int = 0
    # The searched columns lower-cased, one a line (so a substring never spans two).
    search_text: str = field(init=False, repr=False, compare=False)
    # namespace/name, made once: the table's dicts and lists hold this string, not one made at each look-up.
    key: str = field(init=False, repr=False, compare=False)

    @property
    def searched(self) -> tuple[str, str, str, str, str, str]:
        """The columns a filter looks in."""
        return (self.name, self.namespace, self.status, self.node, self.ip, self.image)

    def __post_init__(self) -> None:
        # Made with the row (on the watch's thread), not at the first `/`: a filter's pass over 100,000 rows is
        # then a substring test each.
        object.__setattr__(self, "search_text", "\n".join(self.searched).lower())
        object.__setattr__(self, "key", f"{self.namespace}/{self.name}")


# ---------------------------------------------------------------- what a pod watch reports


@dataclass(frozen=True)
class PodsListing:
    """One page of a list still coming in: shown at once, as upserts."""

    rows: list[PodRow]


@dataclass(frozen=True)
class PodsListed:
    """A complete list from the server: the table becomes exactly this (no ghost or missing rows)."""

    rows: list[PodRow]
    resource_version: str = ""


@dataclass(frozen=True)
class PodUpserted:
    row: PodRow


@dataclass(frozen=True)
class PodRemoved:
    key: str


@dataclass(frozen=True)
class WatchTrouble:
    """The list or the watch failed; the watcher retries by itself after `retry_in` seconds."""

    reason: str
    retry_in: float
    forbidden: bool = False


PodEvent = PodsListing | PodsListed | PodUpserted | PodRemoved | WatchTrouble
