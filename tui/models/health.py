"""What the app knows about its two backends: the Kubernetes cluster and the Docker engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Reachability(Enum):
    CHECKING = "checking"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class ClusterHealth:
    """The kube context in use and whether its API server answers."""

    context: str | None
    namespace: str
    reachability: Reachability
    detail: str  # the server version when up, the reason in words when down

    @property
    def is_up(self) -> bool:
        return self.reachability is Reachability.UP


@dataclass(frozen=True)
class EngineHealth:
    """The Docker engine in use and whether it answers."""

    host: str
    reachability: Reachability
    detail: str

    @property
    def is_up(self) -> bool:
        return self.reachability is Reachability.UP
