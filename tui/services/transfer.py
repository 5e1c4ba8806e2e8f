"""Pull results out of a pod: tar over exec through the API server, with progress, safe extraction,
sha256 verification of every file, and an atomic result (a temporary folder renamed at the very end).

`kubectl cp` has none of these (kubernetes #60140, kubectl #1425, #1469, CVE-2019-1002101).
"""

from __future__ import annotations

import posixpath
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tui.models.transfer import TransferProgress, TransferSummary
from tui.services.kube import KubeService
from tui.services.pod_exec_stream import ExecFailed, PodExecStream, run
from tui.services.safe_tar import Extracted, extract

PROGRESS_EVERY_S = 0.1


class TransferFailed(Exception):
    """In words; nothing was left at the destination."""


class DestinationExists(TransferFailed):
    def __init__(self, destination: Path) -> None:
        super().__init__(f"{destination} already exists")
        self.destination = destination


class _Cancelled(Exception):
    pass


class _ChunkReader:
    """A file-like view of the exec's stdout chunks for tarfile's stream mode, counting bytes as they pass.
    A bytearray, because deleting from its front is cheap: tarfile asks for small and large reads alike."""

    def __init__(self, chunks: Iterator[bytes], cancel: threading.Event | None, on_bytes: Callable[[int], None]):
        self._chunks = chunks
        self._buffer = bytearray()
        self._cancel = cancel
        self._on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            if self._cancel is not None and self._cancel.is_set():
                raise _Cancelled()
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._on_bytes(len(chunk))
            self._buffer += chunk
        if size < 0 or size >= len(self._buffer):
            data = bytes(self._buffer)
            self._buffer.clear()
        else:
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
        return data


class PodFileTransfer:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def pull(
        self,
        namespace: str,
        pod: str,
        remote_path: str,
        destination: Path,
        container: str | None = None,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        verify: bool = True,
    ) -> TransferSummary:
        """Copy remote_path (a file or a folder) to destination; the folder appears complete or not at all."""
        destination = destination.expanduser().absolute()
        if destination.exists() and not overwrite:
            raise DestinationExists(destination)
        parent, name = posixpath.split(remote_path.rstrip("/") or "/")
        if not name:
            raise TransferFailed("name a file or folder inside the pod, not /")
        started = time.monotonic()
        staging = destination.parent / f".{destination.name}.k8sx-partial-{uuid.uuid4().hex[:8]}"
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        # The size estimate and the pod's own checksums run beside the copy, not before or after it: on small
        # files they would otherwise double the time.
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pull-side")
        try:
            estimate = pool.submit(self._estimate, namespace, pod, parent, name, container)
            checksums = pool.submit(self._remote_checksums, namespace, pod, parent, name, container) if verify else None
            extracted = self._receive(
                namespace, pod, parent, name, container, staging, started, estimate, progress, cancel
            )
            verified = _compare(checksums.result(), extracted) if checksums is not None else "size"
            received = staging / name
            if not received.exists():
                raise TransferFailed(f"{remote_path} came back empty")
            if destination.exists():
                shutil.rmtree(destination) if destination.is_dir() else destination.unlink()
            received.rename(destination)
        except _Cancelled:
            raise TransferFailed("cancelled; nothing was kept") from None
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            shutil.rmtree(staging, ignore_errors=True)
        return TransferSummary(
            destination, len(extracted.files), extracted.bytes_written, verified, time.monotonic() - started,
            extracted.refused,
        )  # fmt: skip

    def _estimate(
        self, namespace: str, pod: str, parent: str, name: str, container: str | None
    ) -> tuple[int | None, int | None]:
        """How many files and bytes, for the progress bar; unknown when the pod lacks find/du."""
        script = 'cd "$1" && find "$2" -type f | wc -l && du -sk "$2"'
        try:
            output, outcome = run(self.kube, namespace, pod, ["sh", "-c", script, "sh", parent, name], container)
        except ExecFailed:
            return None, None
        lines = output.decode(errors="replace").split()
        if not outcome.succeeded or len(lines) < 2:
            return None, None
        try:
            return int(lines[0]), int(lines[1]) * 1024
        except ValueError:
            return None, None

    def _receive(
        self,
        namespace: str,
        pod: str,
        parent: str,
        name: str,
        container: str | None,
        staging: Path,
        started: float,
        estimate: Future[tuple[int | None, int | None]],
        progress: Callable[[TransferProgress], None] | None,
        cancel: threading.Event | None,
    ) -> Extracted:
        try:
            stream = PodExecStream(self.kube, namespace, pod, ["tar", "cf", "-", "-C", parent, name], container)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        received = 0
        last_report = 0.0
        current = ""
        files_done = 0

        def report(force: bool = False) -> None:
            nonlocal last_report
            now = time.monotonic()
            if progress is not None and (force or now - last_report >= PROGRESS_EVERY_S):
                last_report = now
                files_total, bytes_total = estimate.result() if estimate.done() else (None, None)
                progress(TransferProgress(received, bytes_total, files_done, files_total, current, now - started))

        def on_bytes(count: int) -> None:
            nonlocal received
            received += count
            report()

        def on_file(result: Extracted, path: str) -> None:
            nonlocal current, files_done
            current, files_done = path, len(result.files)

        try:
            reader = _ChunkReader(stream.stdout(), cancel, on_bytes)
            try:
                extracted = extract(reader, staging, on_file)
            except _Cancelled:
                raise
            except Exception as exc:
                outcome = stream.outcome()
                raise TransferFailed(tar_problem(outcome.message, outcome.stderr, str(exc))) from exc
            outcome = stream.outcome()
            if not outcome.succeeded:
                raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        finally:
            stream.close()
        report(force=True)
        return extracted

    def _remote_checksums(
        self, namespace: str, pod: str, parent: str, name: str, container: str | None
    ) -> dict[str, str] | None:
        """sha256 of every file as the pod sees it; None when the pod has no sha256sum (sizes are all we check)."""
        script = 'cd "$1" && find "$2" -type f -exec sha256sum {} +'
        try:
            output, outcome = run(self.kube, namespace, pod, ["sh", "-c", script, "sh", parent, name], container)
        except ExecFailed:
            return None
        if not outcome.succeeded:
            return None
        remote: dict[str, str] = {}
        for line in output.decode(errors="replace").splitlines():
            digest, _, path = line.partition("  ")
            if path:
                remote[posixpath.normpath(path)] = digest
        return remote


def _compare(remote: dict[str, str] | None, extracted: Extracted) -> str:
    if remote is None:
        return "size"
    mismatched = [path for path, digest in remote.items() if extracted.files.get(path) != digest]
    if mismatched:
        listed = ", ".join(sorted(mismatched)[:5])
        raise TransferFailed(f"{len(mismatched)} file(s) differ from the pod's after the copy: {listed}")
    return "sha256"


def tar_problem(message: str, stderr: bytes, local: str) -> str:
    said = stderr.decode(errors="replace").strip()
    text = f"{message} {said}".strip()
    if "executable file not found" in text and "tar" in text:
        return "this pod's image has no tar, which copying needs; use an image that has it (e.g. busybox, debian)"
    if "No such file" in text or "No such file" in local:
        return f"not found in the pod: {said or message}"
    return text or local or "the copy failed"
