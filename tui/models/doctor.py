"""One line of the setup doctor: what was checked, how it went, why, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class CheckState(Enum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True)
class DoctorCheck:
    area: str  # docker, registry, kubernetes, tools
    name: str
    state: CheckState
    detail: str
    fix: str = ""
