"""A run: one pod or Job the app started, and what it was started from, kept after the pod is gone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ENDED_PHASES = ("Succeeded", "Failed", "Deleted")


@dataclass(frozen=True)
class CodeState:
    """The code the image was built from: a git checkout's commit, branch and uncommitted diff, or else a content
    hash of the build context (then `commit` is empty)."""

    folder: str
    commit: str = ""
    branch: str = ""
    diff: str = ""  # `git diff HEAD`: uncommitted changes to tracked files
    untracked: tuple[str, ...] = ()  # files git does not know (not in the diff)
    content_hash: str = ""  # sha256 over the context's files, when it is not a git checkout
    note: str = ""  # what was left out, in words: a diff cut at its limit, a folder too large to hash

    @property
    def dirty(self) -> bool:
        return bool(self.diff or self.untracked)

    @property
    def label(self) -> str:
        """`abc1234+dirty`, `abc1234`, or `#hash` for a folder outside git."""
        if self.commit:
            return self.commit[:7] + ("+dirty" if self.dirty else "")
        return f"#{self.content_hash[:8]}" if self.content_hash else ""


@dataclass(frozen=True)
class ContainerEnd:
    """How one container of the run's pod last stood: its exit code and reason once it ended."""

    name: str
    state: str  # waiting | running | terminated
    exit_code: int | None = None
    reason: str = ""
    restarts: int = 0
    image_id: str = ""  # the kubelet's imageID: the image's digest as run


def failure_text(containers: Sequence[ContainerEnd]) -> str:
    """The first container that ended badly (or waits on an error), as `main: OOMKilled, exit 137`."""
    for end in containers:
        failed = end.state == "terminated" and end.exit_code not in (None, 0)
        stuck = end.state == "waiting" and end.reason not in ("", "ContainerCreating", "PodInitializing")
        if failed or stuck:
            parts = [
                part for part in (end.reason, f"exit {end.exit_code}" if end.exit_code is not None else "") if part
            ]
            return f"{end.name}: {', '.join(parts)}"
    return ""


@dataclass(frozen=True)
class Run:
    id: str
    name: str  # the pod's or Job's name
    kind: str  # Pod | Job
    namespace: str
    context: str
    server: str
    created: float  # when it was applied (epoch seconds)
    manifest: str  # YAML, exactly as applied
    images: tuple[str, ...]  # references as applied
    code: CodeState | None = None
    project: str = ""  # k8sx.yaml as read, if there was one
    params: dict[str, Any] = field(default_factory=dict)  # env, args, the fan-out index
    requests: dict[str, str] = field(default_factory=dict)  # cpu, memory, gpu summed over containers
    pod: str = ""  # the pod it ran in (a Job's pod, once known)
    node: str = ""
    phase: str = "Pending"
    started: float | None = None  # the pod's start
    ended: float | None = None
    containers: tuple[ContainerEnd, ...] = ()
    digests: tuple[str, ...] = ()  # image digests, once the kubelet said them

    @property
    def failure(self) -> str:
        """The first container that ended badly, in words; none for a run deleted while it ran (the deletion ended
        its containers: exit 137 says nothing about the run)."""
        return "" if self.phase == "Deleted" else failure_text(self.containers)

    @property
    def is_over(self) -> bool:
        return self.phase in ENDED_PHASES

    @property
    def image_tag(self) -> str:
        """The first image's tag (or digest), what a list shows."""
        if not self.images:
            return ""
        reference, _, digest = self.images[0].partition("@")  # repo:tag@sha256:…: the tag says more to a person
        last = reference.rsplit("/", 1)[-1]
        if ":" in last:
            return last.rsplit(":", 1)[1]
        return digest[:19] if digest else "latest"


@dataclass(frozen=True)
class RunSummary:
    """One line of the Runs list: what it shows without reading a run's manifest or code."""

    id: str
    name: str
    kind: str
    namespace: str
    created: float
    phase: str
    ended: float | None
    image_tag: str
    code_label: str
    results: int  # pulls recorded
    logs: int  # containers whose log is archived
    failure: str = ""  # the first container that ended badly, in words (failure_text)


@dataclass(frozen=True)
class RunResult:
    """One pull of a run's results: where it went and what arrived (the sha256 of each file)."""

    run_id: str
    at: float
    local_path: str
    files: int
    bytes: int
    sha256: dict[str, str] = field(default_factory=dict)  # relative path -> hex digest


@dataclass(frozen=True)
class LogArchive:
    """One container's archived log: where it is, how far it goes and whether lines may be missing."""

    run_id: str
    container: str
    path: str
    lines: int = 0
    last_time: str = ""  # RFC 3339 timestamp of the last archived line (the next follow's sinceTime)
    complete: bool = False  # the container ended and its log was read to the end
    gaps: tuple[str, ...] = ()  # in words: "app closed 12:00 to 12:40", "stream dropped at …"
