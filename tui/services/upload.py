"""Copy a local file or folder into a pod (a dataset, code): tar over exec's stdin, with progress, sha256 of every
file checked in the pod afterwards, and an atomic arrival (a hidden folder in the pod, moved into place last)."""

from __future__ import annotations

import hashlib
import posixpath
import shlex
import tarfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, cast

from tui.models.transfer import TransferProgress, TransferSummary
from tui.services.kube import KubeService
from tui.services.pod_exec_stream import ExecFailed, PodExecStream, run
from tui.services.transfer import PROGRESS_EVERY_S, TransferFailed, tar_problem

CHUNK = 1 << 20


class _Cancelled(Exception):
    pass


class _StdinWriter:
    """What tarfile writes to: forwarded to the exec's stdin, counted for progress."""

    def __init__(self, stream: PodExecStream, on_bytes: Callable[[int], None], cancel: threading.Event | None):
        self._stream = stream
        self._on_bytes = on_bytes
        self._cancel = cancel
        self._pending = bytearray()

    def write(self, data: bytes) -> int:
        if self._cancel is not None and self._cancel.is_set():
            raise _Cancelled()
        self._pending += data
        if len(self._pending) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(bytes(self._pending))
            self._on_bytes(len(self._pending))
            self._pending.clear()


class _HashingReader:
    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


class PodUpload:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def push(
        self,
        local_path: Path,
        namespace: str,
        pod: str,
        remote_dir: str,
        container: str | None = None,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> TransferSummary:
        """Copy local_path into remote_dir/<its name> in the pod."""
        local_path = local_path.expanduser().absolute()
        if not local_path.exists():
            raise TransferFailed(f"{local_path} does not exist")
        name = local_path.name
        remote_dir = remote_dir.rstrip("/") or "/"
        target = posixpath.join(remote_dir, name)
        staging = posixpath.join(remote_dir, f".k8sx-partial-{uuid.uuid4().hex[:8]}")
        files = [local_path] if local_path.is_file() else sorted(p for p in local_path.rglob("*") if p.is_file())
        total_bytes = sum(p.stat().st_size for p in files)
        exists, _ = self._run(namespace, pod, container, 'test -e "$1" && echo yes || echo no', target)
        if exists.strip() == "yes" and not overwrite:
            raise TransferFailed(f"{target} already exists in the pod")

        started = time.monotonic()
        sent = 0
        done = 0
        last = 0.0
        hashes: dict[str, str] = {}

        def report(current: str, force: bool = False) -> None:
            nonlocal last
            now = time.monotonic()
            if progress is not None and (force or now - last >= PROGRESS_EVERY_S):
                last = now
                progress(TransferProgress(sent, total_bytes, done, len(files), current, now - started))

        def on_bytes(count: int) -> None:
            nonlocal sent
            sent += count

        script = 'mkdir -p "$1" && tar xf - -C "$1"'
        try:
            stream = PodExecStream(
                self.kube, namespace, pod, ["sh", "-c", script, "sh", staging], container, stdin=True
            )
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        try:
            writer = _StdinWriter(stream, on_bytes, cancel)
            with tarfile.open(fileobj=cast(IO[bytes], writer), mode="w|") as archive:
                for path in files:
                    relative = posixpath.join(name, *path.relative_to(local_path).parts) if path != local_path else name
                    info = archive.gettarinfo(str(path), arcname=relative)
                    with open(path, "rb") as handle:
                        reader = _HashingReader(handle)
                        archive.addfile(info, cast(IO[bytes], reader))
                    hashes[relative] = reader.digest.hexdigest()
                    done += 1
                    report(relative)
            writer.flush()
            stream.close_stdin()
            outcome = stream.outcome()
        except _Cancelled:
            stream.close()
            self._run(namespace, pod, container, 'rm -rf "$1"', staging)
            raise TransferFailed("cancelled; nothing was kept in the pod") from None
        finally:
            stream.close()
        if not outcome.succeeded:
            self._run(namespace, pod, container, 'rm -rf "$1"', staging)
            raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        verified = self._verify(namespace, pod, container, staging, name, hashes)
        move = 'rm -rf "$2" && mv "$1/$3" "$2" && rmdir "$1"'
        self._run(namespace, pod, container, move, staging, target, name)
        report(name, force=True)
        return TransferSummary(Path(target), len(files), total_bytes, verified, time.monotonic() - started)

    def _run(self, namespace: str, pod: str, container: str | None, script: str, *args: str) -> tuple[str, bool]:
        try:
            output, outcome = run(self.kube, namespace, pod, ["sh", "-c", script, "sh", *args], container)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        return output.decode(errors="replace"), outcome.succeeded

    def _verify(
        self, namespace: str, pod: str, container: str | None, staging: str, name: str, hashes: dict[str, str]
    ) -> str:
        output, ok = self._run(
            namespace, pod, container, 'cd "$1" && find "$2" -type f -exec sha256sum {} +', staging, name
        )
        if not ok:
            return "size"
        remote = {}
        for line in output.splitlines():
            digest, _, path = line.partition("  ")
            remote[posixpath.normpath(path)] = digest
        wrong = sorted(path for path, digest in hashes.items() if remote.get(path) != digest)
        if wrong:
            self._run(namespace, pod, container, 'rm -rf "$1"', staging)
            raise TransferFailed(
                f"{len(wrong)} file(s) arrived different: {', '.join(shlex.quote(w) for w in wrong[:5])}"
            )
        return "sha256"
