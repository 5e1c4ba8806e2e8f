"""A run's archived logs on the Logs screen: read like followed logs (the same history, search, filter and save),
from the run's archive files instead of the server, so they read the same after the pod was deleted. A GKE run
with no archive is read from Cloud Logging instead (cloud_logging.py), and one whose archive has gaps can be (asked
for: `cloud_logging`); an archive's gaps say that Cloud Logging may have the lines missing.

ArchivedStream is a LogStream whose events come from an archive: its lines in blocks, its recorded gaps, its end.
ArchivedLogSession is a LogSession that starts such streams (or Cloud Logging ones) for the containers chosen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    StreamConnected,
    StreamEnded,
    StreamEvent,
    StreamGap,
)
from tui.models.runs.run import LogArchive, Run
from tui.services.kube.kube import KubeService
from tui.services.logs.cloud_logging import CloudLoggingStream
from tui.services.logs.cloud_query import CloudQuery, container_query, gke_project, not_gke
from tui.services.logs.containers import PodContainers, pod_containers
from tui.services.logs.feed import LogFeed
from tui.services.logs.session import LogSession
from tui.services.logs.stream import LogStream
from tui.services.runs.log_archive import archive_key, archived_blocks
from tui.services.runs.store import RunNotFound, RunStore

ALL_ARCHIVED = LogRange(None, None)
TAIL_S = 1.0  # an archive still written is read again this often (the follower writes it about once a second)


@dataclass(frozen=True)
class RunLogs:
    """A run and its archived logs, as the Logs screen shows them."""

    run: Run
    archives: dict[str, LogArchive]  # container -> its archive (none: read from Cloud Logging)
    pod: PodContainers  # the containers archived, in the pod's order; the default one as kubectl picks it
    cloud: CloudQuery | None = None  # a GKE run: its log in Cloud Logging (all containers)

    @property
    def label(self) -> str:
        where = "archived log" if self.archives else "Cloud Logging log"
        return f"{where} of run {self.run.id} ({self.run.namespace}/{self.run.pod or self.run.name})"


class NoRunLogs(Exception):
    """The run is unknown, or has no archived log: the words say which."""


def load_run_logs(store: RunStore, run_id: str, cloud_logging: bool = False) -> RunLogs:
    """Blocking (a thread): the run and its archives; NoRunLogs in words when there is nothing to show.
    `cloud_logging`: its log in Cloud Logging instead of the archive (a GKE run's, whose archive has a gap)."""
    try:
        run = store.get(run_id)
    except RunNotFound as exc:
        raise NoRunLogs(str(exc)) from exc
    archives = {archive.container: archive for archive in store.logs(run.id)}
    declared = manifest_containers(run.manifest)
    project = gke_project(run.context)
    cloud = CloudQuery.of_run(run, project) if project else None
    if cloud_logging and cloud is None:
        raise NoRunLogs(not_gke(run))
    if (cloud_logging or not archives) and cloud is not None and declared.containers:  # (asked once a stream starts)
        return RunLogs(
            run, {}, PodContainers(run.namespace, run.pod or run.name, declared.containers, declared.default), cloud
        )
    if not archives:
        raise NoRunLogs(f"run {run.id} ({run.name}) has no archived log: it was not followed while k8sx-tui ran")
    names = archive_order(run, archives, declared.containers)
    newest = archive_key(run.kind, run.pod, declared.default)  # a Job's: its newest pod's, as the run describes it
    default = newest if newest in archives else declared.default if declared.default in archives else names[0]
    return RunLogs(run, archives, PodContainers(run.namespace, run.pod or run.name, names, default), cloud)


def archive_order(run: Run, archives: dict[str, LogArchive], declared: Sequence[str]) -> tuple[str, ...]:
    """The archives as the containers are declared; a Job's pods (`pod/container`) in the order they logged."""
    order = [name for name in declared if name in archives]
    rest = sorted(set(archives) - set(order), key=lambda key: (archives[key].last_time or "~", key))
    return (*order, *rest)


def manifest_containers(manifest: str) -> PodContainers:
    """The containers of a run's manifest (a Pod, or a Job's pod template); none when it cannot be read."""
    try:
        document: Any = yaml.safe_load(manifest) if manifest else None
    except yaml.YAMLError:
        document = None
    if not isinstance(document, dict):
        return PodContainers("", "", (), "")
    if document.get("kind") == "Job":
        template = (document.get("spec") or {}).get("template") if isinstance(document.get("spec"), dict) else None
        document = template if isinstance(template, dict) else {}
    try:
        return pod_containers(document)
    except (AttributeError, KeyError, TypeError):  # a hand-written manifest of the wrong shape
        return PodContainers("", "", (), "")


class ArchivedStream(LogStream):
    """One container's archived log, read from its file (no request to the server). While the run follower still
    archives it, the lines it adds are read as they come, until the archive's record says it is complete."""

    def __init__(
        self,
        kube: KubeService,
        target: LogTarget,
        source: int,
        archive: LogArchive,
        store: RunStore,
        cloud: CloudQuery | None = None,
    ) -> None:
        """`cloud`: where Cloud Logging has this container's log (a GKE run): each gap says so."""
        super().__init__(kube, target, source, ALL_ARCHIVED)
        self.archive = archive
        self.store = store
        self.hint = f"; Cloud Logging may have the lines: {cloud.console_url()}" if cloud is not None else ""

    def events(self) -> Iterator[StreamEvent]:
        yield StreamConnected(self.source)
        offset, gaps, archive = 0, 0, self.archive
        while not self.stopped:
            complete = archive.complete  # (read before the file: lines written before it said so are read next)
            for block, end in archived_blocks(Path(archive.path), offset):
                if self.stopped:
                    return
                offset = end  # where the next reading starts
                yield LogChunk(self.source, block, block.count(b"\n"))
            for gap in archive.gaps[gaps:]:
                yield StreamGap(self.source, gap + self.hint)
            gaps = len(archive.gaps)
            if complete:
                yield StreamEnded(self.source, "archived log, complete")
                return
            if self._stopped.wait(TAIL_S):
                return
            archive = self._record() or archive

    def _record(self) -> LogArchive | None:
        """The archive's record as the store has it now."""
        found = [a for a in self.store.logs(self.archive.run_id) if a.container == self.target.container]
        return found[0] if found else None


class ArchivedLogSession(LogSession):
    """A LogSession over a run's archives: `start` reads the chosen containers' archives instead of following."""

    def __init__(self, kube: KubeService, run_logs: RunLogs, store: RunStore) -> None:
        super().__init__(kube)
        self.run_logs = run_logs
        self.store = store

    def start(
        self, targets: list[tuple[LogTarget, str]], log_range: LogRange, previous: bool
    ) -> list[tuple[LogStream, LogFeed]]:
        super().start(targets, ALL_ARCHIVED, False)  # the history, the feed and a source per container
        self.streams = [self._stream(target, source) for source, (target, _) in enumerate(targets)]
        assert self.feed is not None
        return [(stream, self.feed) for stream in self.streams]

    def _stream(self, target: LogTarget, source: int) -> LogStream:
        archive, cloud = self.run_logs.archives.get(target.container), self.run_logs.cloud
        container_cloud = container_query(cloud, target.container) if cloud is not None else None
        if archive is not None:
            return ArchivedStream(self.kube, target, source, archive, self.store, container_cloud)
        assert container_cloud is not None  # (load_run_logs: a run without archives is a GKE one)
        return CloudLoggingStream(self.kube, target, source, container_cloud)
