"""One line of the setup doctor: what was checked, how it went, why, and what to do about it."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from enum import Enum


class CheckState(Enum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True)
class FixCommand:
    """A fix that is safe to run for the user (after a confirm): a program and its arguments, some of which may be
    placeholders (`CLUSTER`, `REGION` …) the user types first. Run without a shell, so typed values stay values."""

    argv: tuple[str, ...]
    inputs: tuple[str, ...] = ()  # argv words that are placeholders for values the user types

    @property
    def text(self) -> str:
        """As the user would type it, placeholders included."""
        return shlex.join(self.argv)

    def filled(self, values: dict[str, str]) -> list[str]:
        """argv with each placeholder replaced by its typed value; ValueError names a missing or unusable one."""
        for name in self.inputs:
            problem = value_problem(values.get(name, ""))
            if problem:
                raise ValueError(f"{name.lower()}: {problem}")
        return [values[word].strip() if word in self.inputs else word for word in self.argv]


_SAFE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def value_problem(value: str) -> str:
    """Why a typed value cannot go into a command ('' when it can): cluster, region and project names are plain
    words; anything starting with '-' would be read as an option."""
    value = value.strip()
    if not value:
        return "needed"
    if not _SAFE_VALUE.fullmatch(value):
        return f"'{value}' is not a plain name (letters, digits, '.', '_', '-'; not starting with '-')"
    return ""


def registry_host(text: str) -> str:
    """The registry host in what a user typed or pasted: a host, a URL, or a whole image reference."""
    text = text.strip().removeprefix("https://").removeprefix("http://")
    return text.split("/", 1)[0]


def configure_docker(registry: str) -> FixCommand:
    return FixCommand(("gcloud", "auth", "configure-docker", registry))


GET_CREDENTIALS = FixCommand(
    ("gcloud", "container", "clusters", "get-credentials", "CLUSTER", "--region", "REGION", "--project", "PROJECT"),
    inputs=("CLUSTER", "REGION", "PROJECT"),
)
INSTALL_GKE_PLUGIN = FixCommand(("gcloud", "components", "install", "gke-gcloud-auth-plugin"))


def gke_context_values(context: str | None) -> dict[str, str]:
    """CLUSTER, REGION and PROJECT guessed from a context that get-credentials named (gke_PROJECT_REGION_CLUSTER),
    so re-fetching credentials for the current cluster needs no typing; {} for any other name."""
    parts = (context or "").split("_")
    if len(parts) < 4 or parts[0] != "gke":
        return {}
    return {"PROJECT": parts[1], "REGION": parts[2], "CLUSTER": "_".join(parts[3:])}


@dataclass(frozen=True)
class DoctorCheck:
    area: str  # docker, registry, kubernetes, tools
    name: str
    state: CheckState
    detail: str
    fix: str = ""  # what to do, in words or as a command line; for a runnable fix, its command's text
    command: FixCommand | None = None  # set only when the fix is safe to run from the app

    @classmethod
    def runnable(cls, area: str, name: str, state: CheckState, detail: str, command: FixCommand) -> DoctorCheck:
        """A check whose fix is a command the app may run (after asking)."""
        return cls(area, name, state, detail, command.text, command)

    @property
    def is_problem(self) -> bool:
        return self.state is not CheckState.OK


@dataclass(frozen=True)
class DoctorSummary:
    checks: int
    failed: int
    warnings: int
    stopped: str = ""  # why the checks stopped before the end, when they did

    @classmethod
    def of(cls, checks: list[DoctorCheck], stopped: str = "") -> DoctorSummary:
        return cls(
            len(checks),
            sum(c.state is CheckState.FAILED for c in checks),
            sum(c.state is CheckState.WARNING for c in checks),
            stopped,
        )

    @property
    def is_failed(self) -> bool:
        return self.failed > 0 or bool(self.stopped)

    @property
    def text(self) -> str:
        if self.stopped:
            return f"the checks stopped after {self.checks}: {self.stopped}"
        if not self.failed and not self.warnings:
            return f"all is well: {self.checks} checks ok"
        parts = []
        if self.failed:
            parts.append(f"{self.failed} problem{'s' if self.failed != 1 else ''}")
        if self.warnings:
            parts.append(f"{self.warnings} warning{'s' if self.warnings != 1 else ''}")
        return f"{', '.join(parts)} in {self.checks} checks"
