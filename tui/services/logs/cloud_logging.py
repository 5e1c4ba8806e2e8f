"""A GKE run's container log read from Cloud Logging, through the user's own `gcloud logging read`: for a run whose
pod is gone and whose log was never archived. No Google client library, no credentials of ours: gcloud signs in
as the user, and what it cannot do (not installed, not signed in, no permission) is said in its words and ours.

GcloudRead runs one `gcloud logging read` (blocking: a worker thread), killed on stop or after GCLOUD_TIMEOUT_S.
CloudLoggingStream is a LogStream whose lines come from one such read (`k8sx-tui runs logs` makes one too).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from tui.models.logs.lines import LogChunk, LogRange, LogTarget, StreamConnected, StreamEnded, StreamEvent, StreamGap
from tui.services.kube.kube import KubeService
from tui.services.logs.cloud_entries import CloudLoggingError, Parsed, explain_failure, parse_entries
from tui.services.logs.cloud_query import MAX_ENTRIES, CloudQuery
from tui.services.logs.stream import LogStream

GCLOUD_TIMEOUT_S = 60.0
MAX_OUTPUT = 128 * 1024 * 1024  # gcloud's answer read at most (the entries before the cut are kept)
CHUNK_BYTES = 1024 * 1024


class GcloudRead:
    """One `gcloud logging read` in its own process group, so stop() and the timeout end it and whatever it
    started (an auth helper, a wrapper script of the user's)."""

    def __init__(self, query: CloudQuery, timeout: float | None = None) -> None:
        self.query = query
        self.timeout = GCLOUD_TIMEOUT_S if timeout is None else timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self.timed_out = False

    def run(self) -> tuple[bytes, bool]:
        """Blocking: gcloud's stdout (at most MAX_OUTPUT; True when cut there). CloudLoggingError in words."""
        query = self.query
        console = f"read the log in the Cloud Console: {query.console_url()}"
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise CloudLoggingError(f"gcloud is not installed: install the Google Cloud SDK, or {console}")
        with tempfile.TemporaryFile() as errors:
            try:
                process = self._start([gcloud, *query.command()[1:]], errors)
            except OSError as exc:
                raise CloudLoggingError(f"gcloud could not be started ({exc.strerror or exc}): {console}") from exc
            timer = threading.Timer(self.timeout, self._time_out)
            timer.daemon = True
            timer.start()
            try:
                output, cut = self._read(process.stdout)
                if cut:
                    self.kill()
                code = process.wait()
            finally:
                timer.cancel()
                self.kill()
            if self._stopped:
                return b"", False
            if self.timed_out:
                raise CloudLoggingError(f"gcloud logging read did not answer within {self.timeout:.0f} s: {console}")
            if code != 0 and not cut:
                errors.seek(0)
                raise CloudLoggingError(explain_failure(errors.read(64 * 1024).decode(errors="replace"), code, query))
            return output, cut

    def _start(self, argv: list[str], errors: IO[bytes]) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._stopped:
                raise CloudLoggingError("stopped")
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, start_new_session=True
            )
            return self._process

    @staticmethod
    def _read(stdout: IO[bytes] | None) -> tuple[bytes, bool]:
        assert stdout is not None
        chunks: list[bytes] = []
        size = 0
        with stdout:
            while chunk := stdout.read(CHUNK_BYTES):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_OUTPUT:
                    return b"".join(chunks)[:MAX_OUTPUT], True
        return b"".join(chunks), False

    def _time_out(self) -> None:
        self.timed_out = True
        self.kill()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self.kill()

    def kill(self) -> None:
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


class CloudLoggingStream(LogStream):
    """One container's log of a gone pod, read once from Cloud Logging (no request to the cluster)."""

    def __init__(self, kube: KubeService, target: LogTarget, source: int, query: CloudQuery) -> None:
        super().__init__(kube, target, source, LogRange(None, None))  # (read whole)
        self.query = query
        self.read = GcloudRead(query)

    def stop(self) -> None:
        super().stop()
        self.read.stop()

    def events(self) -> Iterator[StreamEvent]:
        yield StreamConnected(self.source)
        try:
            output, cut = self.read.run()
            if self.stopped:
                return
            parsed = parse_entries(output, cut)
        except CloudLoggingError as exc:
            if not self.stopped:
                yield StreamGap(self.source, f"Cloud Logging: {exc}")  # (a line of its own: the link stays whole)
                yield StreamEnded(self.source, "Cloud Logging could not be read")
            return
        yield from self._chunks(parsed.lines)
        for words in shortfalls(self.query, parsed, cut):
            yield StreamGap(self.source, words)
        yield StreamEnded(
            self.source, f"read from Cloud Logging (project {self.query.project}), {parsed.entries:,} entries"
        )

    def _chunks(self, lines: list[bytes]) -> Iterator[StreamEvent]:
        block: list[bytes] = []
        size = 0
        for line in lines:
            block.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                yield LogChunk(self.source, b"".join(block), len(block))
                block, size = [], 0
        if block:
            yield LogChunk(self.source, b"".join(block), len(block))


def shortfalls(query: CloudQuery, parsed: Parsed, cut: bool) -> list[str]:
    """Where the lines read are not all Cloud Logging has, in words."""
    console = f"the console has them all: {query.console_url()}"
    if cut:
        return [f"gcloud's answer was longer than {MAX_OUTPUT >> 20} MiB: the entries after are cut; {console}"]
    if parsed.entries >= MAX_ENTRIES:
        return [f"Cloud Logging has more than {MAX_ENTRIES:,} entries for this container: the first shown; {console}"]
    return []
