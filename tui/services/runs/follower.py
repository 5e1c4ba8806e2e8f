"""While the app runs: every unfinished run of the current context is followed — its record kept up to date from
its pod, and each container's log archived — and runs recorded meanwhile are picked up.

One thread (`run-follower`) reads the store every POLL_S for unfinished runs and their pods, and every FLUSH_S
writes what the archives hold; one thread per container streams its log (the Logs screen's LogStream: resumed with
sinceTime after a drop, restarts and lost lines noticed) into its ArchiveAppender. A run's archive that already
has lines is resumed from its last line: what the server still has since then comes now (the catch-up when the
app was closed); where lines may be missing, the archive's record says so in words (LogArchive.gaps).

A Job's run follows every pod the Job makes (a failed pod's retries, an Indexed Job's pods), each container's log in
an archive of its own (`pod/container`), and ends when the Job does. On the first poll in a context, ended runs
whose archive is not complete (the app closed before their last lines were read) are caught up the same way, or,
their pod gone, their gap said (`on_gap`).

New runs are found by polling the store (POLL_S), so a run another app instance or the CLI recorded is followed
too; `wake()` asks for a poll now. A failure is logged with its traceback and concerns that run alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    StreamEnded,
    StreamEvent,
    StreamGap,
    StreamTrouble,
    restart_count,
)
from tui.models.runs.job_status import by_creation, run_with_job
from tui.models.runs.pod_status import run_with_pod
from tui.models.runs.run import ENDED_PHASES, LogArchive, Run
from tui.services.kube.json_reads import object_or_none
from tui.services.kube.kube import KubeService
from tui.services.logs.containers import pod_containers
from tui.services.logs.stream import LastTimestamp, LogStream
from tui.services.runs.log_archive import FLUSH_S, ArchiveAppender, ArchiveBusy, archive_key, archive_path
from tui.services.runs.store import RunNotFound, RunStore

log = logging.getLogger(__name__)

POLL_S = 2.0  # the store and the followed runs' pods are read this often
REQUEST_TIMEOUT_S = 15.0
END_GRACE_S = 10.0  # a deleted pod's streams may read this long to its log's end before they are stopped
JOIN_S = 2.0


def clock_words(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def stamp_words(token: str) -> str:
    """An archived line's RFC 3339 stamp, to the second, for the gap words."""
    return token[:19].replace("T", " ") + " UTC" if len(token) >= 19 else (token or "its start")


class ContainerArchiver:
    """One container's log into its archive, on a thread of its own, until the log ends or `stop()`."""

    def __init__(self, kube: KubeService, store: RunStore, run: Run, target: LogTarget, since: float) -> None:
        self.store = store
        self.run_id = run.id
        self.context = run.context
        self.target = target
        self.name = archive_key(run.kind, target.pod, target.container)  # the archive's name in the run
        self.since = since  # when the follower started: the end of the time the app was not following
        self.appender = ArchiveAppender(archive_path(store.folder(run.id), self.name))
        known = {a.container: a for a in store.logs(run.id)}.get(self.name)
        self.gaps: list[str] = list(known.gaps) if known else []
        self.complete = False
        scan = self.appender.scan
        self.resumed = scan.lines > 0
        # From the last line archived, if any: the stream drops what the server resends of it.
        resume = LastTimestamp(scan.last_token, scan.last_run) if self.resumed else None
        self.stream = LogStream(kube, target, 0, LogRange(None, None), resume=resume)
        self._save_lock = threading.Lock()
        self._saved = (-1, False, 0)
        self._thread = threading.Thread(target=self._run, name=f"run-log {target.key}", daemon=True)

    @property
    def key(self) -> tuple[str, str]:
        return self.run_id, self.name

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stream.stop()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def note_gap(self, words: str) -> None:
        with self._save_lock:
            self.gaps.append(words)
        self.save()

    def flush_due(self) -> None:
        """On the follower's thread: write lines that waited FLUSH_S, and record how far the archive goes."""
        self.appender.flush_due()
        self.save()

    def save(self) -> None:
        """The archive's record in the store, when it changed (lines, completeness, gaps)."""
        with self._save_lock:
            state = (self.appender.lines, self.complete, len(self.gaps))
            if state == self._saved:
                return
            self.store.set_log(
                LogArchive(
                    self.run_id, self.name, str(self.appender.path), self.appender.lines,
                    self.appender.last_time, self.complete, tuple(self.gaps),
                )
            )  # fmt: skip
            self._saved = state

    def _run(self) -> None:
        try:
            self._archive()
        except Exception:
            log.exception("archiving the log of %s (run %s) failed", self.target.key, self.run_id)
        finally:
            try:
                self.appender.close()
                self.save()
            except Exception:
                log.exception("recording the archived log of %s (run %s) failed", self.target.key, self.run_id)

    def _archive(self) -> None:
        last: StreamEvent | None = None  # the last event other than lines
        for event in self.stream.events():
            if isinstance(event, LogChunk):
                self.appender.append(event.data)
                continue
            if isinstance(event, StreamGap):
                self.appender.flush()  # (the gap's words say the last line before it)
                self.note_gap(self._gap_words())
            elif isinstance(event, StreamEnded):
                self.appender.flush()
                if isinstance(last, StreamTrouble) or last is None:  # the end came from a refusal, not the log
                    self.note_gap(
                        f"the pod was gone ({event.reason}) before its log was read to the end: lines after "
                        f"{stamp_words(self.appender.last_time)} may be missing"
                    )
                self.complete = True
                self.save()
                return
            if not isinstance(event, StreamTrouble) or not isinstance(last, StreamTrouble):
                log.debug("run %s, %s: %s", self.run_id, self.target.key, event)
            last = event

    def _gap_words(self) -> str:
        since = stamp_words(self.appender.last_time)
        if self.resumed and self.appender.lines == self.appender.scan.lines:  # the catch-up's first lines
            return (
                f"k8sx-tui was not running from {since} to {clock_words(self.since)}, and the server no longer had "
                "all of the lines between (log rotated or container restarted): lines may be missing there"
            )
        return (
            f"the stream dropped after {since} and the server no longer had all of the lines since "
            "(log rotated or container restarted): lines may be missing there"
        )


class RunFollower:
    """Follows every unfinished run of the kube context: `start()` once, `stop()` at the end (prompt: the threads
    are daemons and their streams are cut)."""

    def __init__(
        self,
        kube: KubeService,
        store: RunStore,
        poll_s: float = POLL_S,
        on_gap: Callable[[str], None] | None = None,
    ) -> None:
        """`on_gap`: called (on the follower's thread) with the words of each gap found when catching up a run
        whose pod went while the app was closed: `run ID (namespace/name), container: why`."""
        self.kube = kube
        self.store = store
        self.poll_s = poll_s
        self.on_gap = on_gap
        self.archivers: dict[tuple[str, str], ContainerArchiver] = {}
        self._lock = threading.Lock()  # self.archivers: the poll's thread adds, the flush's thread removes
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started_at = time.time()
        self._gone_at: dict[str, float] = {}  # run id -> when its pod was first seen gone
        self._problems: dict[str, str] = {}  # what failed last, per run ("" for the poll): logged once, not per poll
        self._caught_up: set[str] = set()  # the contexts whose ended runs were looked at for logs to catch up
        self._catching_up: set[str] = set()  # ended runs whose logs are read to their end now

    def start(self) -> None:
        if self._threads:
            return
        self._stopped.clear()
        self._started_at = time.time()
        # Two threads: a poll that waits for a slow or unreachable server never holds back the archives' flushes.
        self._threads = [
            threading.Thread(target=self._poll_loop, name="run-follower", daemon=True),
            threading.Thread(target=self._flush_loop, name="run-follower-flush", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        archivers = self._followed()
        for archiver in archivers:
            archiver.stop()
        deadline = time.monotonic() + JOIN_S  # all together: the threads are daemons, none holds the app's exit
        for archiver in archivers:
            archiver.join(max(0.0, deadline - time.monotonic()))
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = []
        with self._lock:
            self.archivers.clear()

    def _followed(self) -> list[ContainerArchiver]:
        with self._lock:
            return list(self.archivers.values())

    def wake(self) -> None:
        """Look at the store now (a run was just recorded), not at the next poll."""
        self._wake.set()

    # ---------------------------------------------------------------- the follower's thread

    def _poll_loop(self) -> None:
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                self.poll()
                self._problems.pop("", None)
            except Exception as exc:
                self._failed("", exc, "following the runs failed; asking again every %.0f s", self.poll_s)
            self._wake.wait(self.poll_s)

    def _failed(self, key: str, exc: Exception, message: str, *args: object) -> None:
        """Log a failure with its traceback, once while it stays the same (a poll repeats it every POLL_S)."""
        words = f"{type(exc).__name__}: {exc}"
        if self._problems.get(key) != words:
            self._problems[key] = words
            log.exception(message, *args)
        else:
            log.debug(message + " (again)", *args)

    def _flush_loop(self) -> None:
        while not self._stopped.wait(FLUSH_S):
            for archiver in self._followed():
                try:
                    archiver.flush_due()
                except Exception:
                    log.exception("writing the archived log of %s failed", archiver.target.key)
                if not archiver.alive:  # (it recorded its end itself)
                    with self._lock:
                        self.archivers.pop(archiver.key, None)

    def poll(self) -> None:
        """Each unfinished run of the context: its record brought up to date and its containers archived; and, on
        the first poll in a context, each ended run whose log was not archived to its end (the app was closed or
        killed before it was): caught up while its pod is there, else its gap said."""
        self.kube.api_client()  # (loads the kubeconfig: the context is known from here on)
        context = self.kube.context or ""
        for archiver in self._followed():
            if archiver.context != context:  # the app switched context: those runs wait for it to come back
                archiver.stop()
        if context not in self._caught_up:
            self._caught_up.add(context)
            self._catching_up.update(self._ended_incomplete(context))
        for run in [*self.store.unfinished(), *self._caught_up_runs()]:
            if self._stopped.is_set():
                return
            if run.context != context:
                continue
            try:
                self._follow(run)
                self._problems.pop(run.id, None)
            except Exception as exc:
                self._failed(run.id, exc, "following run %s (%s/%s) failed", run.id, run.namespace, run.name)
            if run.id in self._catching_up and all(archive.complete for archive in self.store.logs(run.id)):
                self._catching_up.discard(run.id)

    def _ended_incomplete(self, context: str) -> list[str]:
        """The ended runs of `context` with an archive not complete: read once a start (not every poll)."""
        found = []
        for summary in self.store.summaries():
            if summary.phase not in ENDED_PHASES or not summary.logs:
                continue
            if all(archive.complete for archive in self.store.logs(summary.id)):
                continue
            if self.store.get(summary.id).context == context:
                found.append(summary.id)
        return found

    def _caught_up_runs(self) -> list[Run]:
        """The ended runs being caught up, as recorded now."""
        runs = []
        for run_id in list(self._catching_up):
            try:
                runs.append(self.store.get(run_id))
            except RunNotFound:
                self._catching_up.discard(run_id)
        return runs

    def _follow(self, run: Run) -> None:
        found = self._pods_of(run)
        if found is None:
            self._gone(run)
            return
        self._gone_at.pop(run.id, None)
        pods, job = found
        done = {archive.container for archive in self.store.logs(run.id) if archive.complete}
        with self._lock:
            followed = {name for run_id, name in self.archivers if run_id == run.id}
        for pod in pods:
            containers = pod_containers(pod)
            for name in containers.containers:
                key = archive_key(run.kind, containers.pod, name)
                if key not in followed and key not in done:
                    self._archive(run, LogTarget(run.namespace, containers.pod, name), pod)
        updated = run_with_pod(run, pods[-1]) if pods else run
        if pods and updated.is_over and (pods[-1].get("metadata") or {}).get("deletionTimestamp"):
            # Killed by the deletion (the kubelet says Failed for a moment): the run ends "Deleted" once it is gone.
            updated = replace(updated, phase=run.phase, ended=run.ended)
        if run.kind == "Job":
            updated = run_with_job(updated, job)
        if updated != run:
            self.store.record(updated)

    def _archive(self, run: Run, target: LogTarget, pod: dict[str, Any]) -> None:
        try:
            archiver = ContainerArchiver(self.kube, self.store, run, target, self._started_at)
        except ArchiveBusy:
            log.info("%s (run %s) is archived by another k8sx-tui", target.key, run.id)
            return
        restarts = restart_count(pod, target.container) or 0
        if not archiver.resumed and restarts > 0:  # only the current container's log is still there to read
            archiver.note_gap(
                f"the container had restarted {restarts} time{'s' if restarts != 1 else ''} before k8sx-tui followed "
                "it: the lines of its earlier runs are not archived"
            )
        with self._lock:  # started under it: the flush's thread never sees a not-yet-started archiver as ended
            self.archivers[archiver.key] = archiver
            archiver.start()

    def _gone(self, run: Run) -> None:
        """The run's pod (a Job's: the Job and its pods) is gone: an unfinished run ends "Deleted", once its streams
        had a moment to read their last lines; a container whose log was not read to the end gets a gap that says
        so."""
        now = time.time()
        first = self._gone_at.setdefault(run.id, now)
        running = [a for a in self._followed() if a.run_id == run.id and a.alive]
        if running and now - first < END_GRACE_S:
            return
        for archiver in running:
            archiver.stop()
            archiver.join(JOIN_S)
            if not archiver.complete:
                archiver.complete = True
                archiver.note_gap(
                    "the pod was deleted before its log was read to the end: lines after "
                    f"{stamp_words(archiver.appender.last_time)} may be missing"
                )
        archives = {a.container: a for a in self.store.logs(run.id)}
        # A Pod's run: each container it had, archived or not; a Job's: the archives of the pods it was seen with.
        names = [*(end.name for end in run.containers if run.kind != "Job"), *archives]
        for name in dict.fromkeys(names):
            archive = archives.get(name) or LogArchive(run.id, name, str(archive_path(self.store.folder(run.id), name)))
            if archive.complete:
                continue
            words = (
                f"k8sx-tui was not running from {stamp_words(archive.last_time)} to {clock_words(self._started_at)}, "
                "and the pod was deleted meanwhile: its lines after that are not archived"
            )
            self.store.set_log(replace(archive, complete=True, gaps=(*archive.gaps, words)))
            self._say_gap(run, name, words)
        if not run.is_over:  # (a run that had ended keeps its phase when its pod is deleted later)
            self.store.record(replace(run, phase="Deleted", ended=now))
        self._gone_at.pop(run.id, None)

    def _say_gap(self, run: Run, name: str, words: str) -> None:
        """A gap found on catching up: said to the log, and to the app when it asked (`on_gap`)."""
        text = f"run {run.id} ({run.namespace}/{run.name}), {name}: {words}"
        log.warning("archived log with a gap: %s", text)
        if self.on_gap is not None:
            try:
                self.on_gap(text)
            except Exception:
                log.exception("saying the gap of run %s failed", run.id)

    def _pods_of(self, run: Run) -> tuple[list[dict[str, Any]], dict[str, Any] | None] | None:
        """The run's pods as the API says them, the newest last, and a Job's run its Job; None when it is gone (a
        Job: the Job and its pods). A Job's pods are all of them: a failed pod's retries, an Indexed Job's."""
        namespace = quote(run.namespace, safe="")
        if run.kind == "Job":
            pods = self._get(f"/api/v1/namespaces/{namespace}/pods", [("labelSelector", f"job-name={run.name}")])
            items = by_creation([p for p in (pods or {}).get("items") or [] if isinstance(p, dict)])
            job = self._get(f"/apis/batch/v1/namespaces/{namespace}/jobs/{quote(run.name, safe='')}")
            if not items and (job is None or run.pod):  # (a Job with no pod yet has not run: it is not gone)
                return None
            return items, job
        pod = self._get(f"/api/v1/namespaces/{namespace}/pods/{quote(run.pod or run.name, safe='')}")
        if pod is None:
            return None
        newest = self.store.latest_for(run.context, run.namespace, run.name)
        if newest is not None and newest.id != run.id:  # a pod of the same name, started again: a newer run's
            return None
        return [pod], None

    def _get(self, path: str, query: list[tuple[str, object]] | None = None) -> dict[str, Any] | None:
        """GET as JSON; None for 404."""
        return object_or_none(lambda: self.kube.get(path, query or [], timeout=REQUEST_TIMEOUT_S))
