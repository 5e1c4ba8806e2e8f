"""Pull results out of a pod: tar over exec through the API server, with progress, safe extraction,
sha256 verification of every file, resume of a cut pull, and an atomic result (a hidden folder renamed at the end).

`kubectl cp` has none of these (kubernetes #60140, kubectl #1425, #1469, CVE-2019-1002101).
"""

from __future__ import annotations

import errno
import logging
import os
import posixpath
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.models.transfer.names import listed
from tui.models.transfer.progress import TransferProgress, TransferSummary
from tui.models.units import human_bytes
from tui.services.exec.stream import ExecFailed, ExecStream, open_exec, run
from tui.services.kube.kube import KubeService
from tui.services.tar.safe_extract import PART_SUFFIX, Extracted, extract
from tui.services.transfer.destination import checked
from tui.services.transfer.pull_resume import (
    HASHER_CHOICE,
    LISTING_SCRIPT,
    RemoteListing,
    parse_listing,
    partial_folder,
    plan_resume,
    sha256_of,
)

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.1
# The archive on stdout; on stderr: how many files and kilobytes (for the progress bar), tar's exit status and then
# every file's sha256, read by a hasher running alongside tar (both read the same files, the second from the page
# cache) and said once tar has ended (lines written by two processes at once could interleave). One exec. Piping the
# archive itself through tee into a hasher cost the pod several times the CPU (two more copies of every byte), which
# matters when the pod's CPU is what limits the copy. "k8sx:hashed" says the list is complete; without a hasher,
# sizes are all that is checked.
STREAM_TAR = (
    HASHER_CHOICE
    + """( cd "$1" 2>/dev/null && n=$(find "$2" -type f 2>/dev/null | wc -l) && set -- $(du -sk "$2" 2>/dev/null) \\
  && echo "k8sx:estimate $n $1" >&2 ) >/dev/null &
if [ -z "$hasher" ]; then
  echo "k8sx:nohash" >&2; tar cf - -C "$1" "$2"; echo "k8sx:tar $?" >&2; exit 0
fi
tar cf - -C "$1" "$2" &
tar=$!
sums=$(cd "$1" 2>/dev/null && find "$2" -type f ! -path "*$nl*" -exec $hasher {} + 2>/dev/null); hashed=$?
wait $tar
echo "k8sx:tar $?" >&2
printf '%s\\n' "$sums" >&2
echo "k8sx:hashed $hashed" >&2
wait
"""
)
# sha256 lines of either hasher: openssl's "HEX *name", sha256sum's "HEX  name" (a name with a newline or a
# backslash is escaped by sha256sum and then starts the line with a backslash: such a file is checked by size).
FILE_SUM = re.compile(rb"^([0-9a-f]{64}) [ *](.+)$", re.MULTILINE)
HASHED = re.compile(rb"^k8sx:hashed (\d+)$", re.MULTILINE)
NO_HASHER = re.compile(rb"^k8sx:nohash$", re.MULTILINE)
ESTIMATE = re.compile(rb"^k8sx:estimate (\d+) (\d+)$", re.MULTILINE)
TAR_STATUS = re.compile(rb"^k8sx:tar (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class PullSummary(TransferSummary):
    """A pull's summary with the sha256 of every file that arrived (computed as it was written, checked against the
    pod's), by its path inside the destination; `.` for a pulled file itself. What a run records of its results."""

    sha256: dict[str, str] = field(default_factory=dict)


class TransferFailed(Exception):
    """In words; what was kept (for a resume) is said in the message."""


class FilesDiffer(TransferFailed):
    """Files that arrived differ from the pod's sha256 of them, or did not arrive at all."""


class DestinationExists(TransferFailed):
    def __init__(self, destination: Path) -> None:
        super().__init__(f"{destination} already exists")
        self.destination = destination


class _Cancelled(Exception):
    pass


def pull_source(namespace: str, pod: str, remote_path: str) -> str:
    """What names a pull for resuming: the same source into the same destination resumes."""
    return f"{namespace}/{pod}:{posixpath.normpath(remote_path)}"


class _ChunkReader:
    """A file-like view of the exec's stdout chunks for the tar reader, counting bytes as they pass. read1 hands
    out views of the chunks as they came (a file's bytes pass without a copy); read joins them for headers."""

    def __init__(
        self, chunks: Iterator[memoryview], cancel: threading.Event | None, on_bytes: Callable[[int], None]
    ) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._cancel = cancel
        self._on_bytes = on_bytes

    def read1(self, size: int = -1, /) -> memoryview:
        """Up to `size` bytes (all of a chunk when negative) without waiting for more than one chunk; empty at
        the end."""
        if not self._pending:
            if self._cancel is not None and self._cancel.is_set():
                raise _Cancelled()
            chunk = next(self._chunks, None)
            if chunk is None:
                return self._pending
            self._on_bytes(len(chunk))
            self._pending = chunk
        if size < 0:
            size = len(self._pending)
        piece, self._pending = self._pending[:size], self._pending[size:]
        return piece

    def read(self, size: int = -1, /) -> bytes:
        pieces = []
        wanted = size
        while wanted != 0:
            piece = self.read1(wanted)
            if not piece:
                break
            pieces.append(piece)
            wanted = max(wanted - len(piece), 0) if wanted > 0 else wanted
        return b"".join(pieces)


@dataclass
class _Meter:
    """Progress of one pull, reported at most every PROGRESS_EVERY_S."""

    progress: Callable[[TransferProgress], None] | None
    started: float
    totals: Callable[[], tuple[int | None, int | None]] | tuple[int | None, int | None] = (None, None)
    received: int = 0
    files_done: int = 0
    current: str = ""
    _last: float = field(default=0.0)

    def add(self, count: int) -> None:
        self.received += count
        self.report()

    def report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or not (force or now - self._last >= PROGRESS_EVERY_S):
            return
        self._last = now
        files_total, bytes_total = self.totals() if callable(self.totals) else self.totals
        self.progress(
            TransferProgress(self.received, bytes_total, self.files_done, files_total, self.current, now - self.started)
        )


@dataclass
class _Received:
    hashes: dict[str, str]
    bytes: int
    verified: str
    refused: list[str]
    reused: int = 0


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
        resume: bool = False,
        source: str | None = None,
    ) -> PullSummary:
        """Copy remote_path (a file or a folder) to destination; it appears complete or not at all.

        A cut pull (cancel, a dropped connection, a full disk, a killed process) leaves its hidden folder; with
        resume=True the next pull of the same `source` (default: this pod and path) keeps what is verified there.
        Without resume, such a folder is discarded first. A destination no pull may replace (/, home, the current
        folder and those holding them, a system folder, a link) is refused before anything is touched."""
        destination, refused = checked(destination)  # normalised: `a/x/../dest` makes no `x`
        if refused:
            raise TransferFailed(refused)
        if destination.exists() and not overwrite:
            raise DestinationExists(destination)
        parent, name = posixpath.split(posixpath.normpath(remote_path))
        if not name or name == "..":
            raise TransferFailed("name a file or folder inside the pod, not /")
        parent = parent or "."  # a relative path: from the container's working directory
        started = time.monotonic()
        staging = partial_folder(destination, source or pull_source(namespace, pod, remote_path))
        if staging.exists() and not resume:
            shutil.rmtree(staging)
        staging.mkdir(parents=True, exist_ok=True)
        meter = _Meter(progress, started)
        done = False
        try:
            if resume and any(staging.iterdir()):
                received = self._resume(namespace, pod, parent, name, container, staging, meter, cancel)
            else:
                try:
                    received = self._fresh(namespace, pod, parent, name, container, staging, meter, cancel, verify)
                except FilesDiffer:
                    # Most likely written to while they were copied (a running experiment's metrics, checkpoints):
                    # once more, keeping every file that is equal and fetching again only those that are not.
                    received = self._resume(namespace, pod, parent, name, container, staging, meter, cancel)
            result = staging / name
            if result.is_symlink() or not result.exists():
                raise TransferFailed(_nothing_came(remote_path, received.refused))
            if destination.exists():
                shutil.rmtree(destination) if destination.is_dir() else destination.unlink()
            result.rename(destination)
            done = True
        except _Cancelled:
            raise TransferFailed("cancelled" + _kept(staging)) from None
        except OSError as exc:
            raise TransferFailed(local_write_problem(exc) + _kept(staging)) from exc
        except TransferFailed as exc:
            raise TransferFailed(str(exc) + _kept(staging)) from exc
        finally:
            if done:
                shutil.rmtree(staging, ignore_errors=True)
        meter.report(force=True)
        if received.refused:
            shown = "; ".join(received.refused[:20])
            log.warning("pull of %s refused %d entries: %s", remote_path, len(received.refused), shown)
        return PullSummary(
            destination, len(received.hashes), received.bytes, received.verified, time.monotonic() - started,
            received.refused, meter.received, received.reused, sha256=_inside(name, received.hashes),
        )  # fmt: skip

    # ---------------------------------------------------------------- a pull from the start

    def _fresh(
        self,
        namespace: str,
        pod: str,
        parent: str,
        name: str,
        container: str | None,
        staging: Path,
        meter: _Meter,
        cancel: threading.Event | None,
        verify: bool,
    ) -> _Received:
        command = ["sh", "-c", STREAM_TAR, "sh", parent, name]
        extracted, stderr = self._receive(namespace, pod, command, None, container, name, staging, meter, cancel)
        if NO_HASHER.search(stderr) or not verify:
            return _Received(extracted.files, extracted.bytes_written, "size", extracted.refused)
        hashed = HASHED.search(stderr)
        if hashed is None:
            # The pod hashes what it sends but its list never came: the stream was cut, perhaps between two files
            # (a tar read as it arrives takes that for its end), so this must not pass for a complete pull.
            raise TransferFailed("the stream from the pod ended early (no checksums came)")
        theirs = {posixpath.normpath(name.decode(errors="surrogateescape")): digest.decode()
                  for digest, name in FILE_SUM.findall(stderr)}  # fmt: skip
        # Kept for a resume when they differ or some are missing: it checks every file against the pod's own sha256
        # before keeping it, and fetches what is not there.
        _compare(theirs, extracted)
        summed = sum(path in theirs for path in extracted.files)
        unlisted = len(extracted.files) - summed  # made after the hasher passed, or a name it escapes
        verified = "sha256" if not unlisted else "size" if not summed else f"sha256 ({unlisted} by size)"
        return _Received(extracted.files, extracted.bytes_written, verified, extracted.refused)

    def _receive(
        self,
        namespace: str,
        pod: str,
        command: Sequence[str],
        stdin: bytes | None,
        container: str | None,
        name: str,
        staging: Path,
        meter: _Meter,
        cancel: threading.Event | None,
    ) -> tuple[Extracted, bytes]:
        """Run `command` (a tar writer of `name` and what is below it) in the pod and extract its output into staging
        as it arrives, every file's sha256 computed as it is written, links judged as if staging/name already were
        the destination. Returns what was extracted and the command's stderr."""
        try:
            stream = open_exec(self.kube, namespace, pod, command, container, stdin=stdin is not None)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        if stdin is not None:
            # Written beside the reading: the pod's xargs starts tar before it has read all names, and tar's
            # output must be drained meanwhile or both ends wait for each other.
            threading.Thread(target=_feed, args=(stream, stdin), name="pull-names", daemon=True).start()

        def on_file(result: Extracted, path: str) -> None:
            meter.current = path
            meter.files_done += 1

        if meter.totals == (None, None):
            meter.totals = _Estimate(stream)
        try:
            reader = _ChunkReader(stream.stdout(), cancel, meter.add)
            try:
                extracted = extract(reader, staging, on_file, concatenated=stdin is not None, top=name)
            except (_Cancelled, OSError):
                raise
            except Exception as exc:
                outcome = stream.outcome()
                raise TransferFailed(tar_problem(outcome.message, outcome.stderr, str(exc))) from exc
            outcome = stream.outcome()
            status = TAR_STATUS.search(outcome.stderr)
            if not outcome.succeeded or (status is not None and status.group(1) != b"0"):
                raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        finally:
            stream.close()
        return extracted, outcome.stderr

    # ---------------------------------------------------------------- a resumed pull

    def _resume(
        self,
        namespace: str,
        pod: str,
        parent: str,
        name: str,
        container: str | None,
        staging: Path,
        meter: _Meter,
        cancel: threading.Event | None,
    ) -> _Received:
        """Keep the verified files of a cut pull, continue its part file, fetch the rest in one tar."""
        listing = self._listing(namespace, pod, parent, name, container)
        if listing is None:  # no sha256sum or stat in the pod: nothing can be trusted, start over
            shutil.rmtree(staging)
            staging.mkdir()
            return self._fresh(namespace, pod, parent, name, container, staging, meter, cancel, True)
        plan = plan_resume(staging, listing)
        meter.totals = (len(listing.digests), plan.remaining(listing))
        meter.files_done = len(plan.kept)
        hashes = dict(plan.kept)
        written = plan.kept_bytes
        for path, offset in plan.continued.items():
            hashes[path] = self._continue(namespace, pod, parent, path, offset, container, staging, meter, cancel)
            written += listing.sizes[path]
            meter.files_done += 1
        extracted = Extracted()
        if plan.needed:
            names = b"".join(path.encode() + b"\0" for path in plan.needed)
            command = ["sh", "-c", 'cd "$1" && xargs -0 tar cf -', "sh", parent]
            extracted, _ = self._receive(namespace, pod, command, names, container, name, staging, meter, cancel)
            written += extracted.bytes_written
        extracted.files = hashes | extracted.files
        verified = _compare(listing.digests, extracted)
        reused = plan.kept_bytes + sum(plan.continued.values())
        return _Received(extracted.files, written, verified, extracted.refused, reused)

    def _listing(self, namespace: str, pod: str, parent: str, name: str, container: str | None) -> RemoteListing | None:
        try:
            output, outcome = run(
                self.kube, namespace, pod, ["sh", "-c", LISTING_SCRIPT, "sh", parent, name], container
            )
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        listing = parse_listing(output.decode(errors="replace"))
        if not outcome.succeeded or set(listing.sizes) != set(listing.digests):
            return None
        return listing

    def _continue(
        self,
        namespace: str,
        pod: str,
        parent: str,
        path: str,
        offset: int,
        container: str | None,
        staging: Path,
        meter: _Meter,
        cancel: threading.Event | None,
    ) -> str:
        """Append the pod's file from byte `offset` to its part file, then give the part its real name."""
        part = staging / (path + PART_SUFFIX)
        digest = sha256_of(part)
        command = ["sh", "-c", 'cd "$1" && exec tail -c +"$2" "$3"', "sh", parent, str(offset + 1), path]
        meter.current = path
        try:
            stream = open_exec(self.kube, namespace, pod, command, container)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        try:
            with open(part, "ab") as out:
                for chunk in stream.stdout():
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled()
                    out.write(chunk)
                    digest.update(chunk)
                    meter.add(len(chunk))
            outcome = stream.outcome()
        finally:
            stream.close()
        if not outcome.succeeded:
            raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        os.replace(part, staging / path)
        return digest.hexdigest()


def _inside(name: str, hashes: dict[str, str]) -> dict[str, str]:
    """The digests by path inside the destination: the archive's paths start with the name pulled."""
    return {"." if path == name else path.removeprefix(name + "/"): digest for path, digest in hashes.items()}


def _feed(stream: ExecStream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close_stdin()
    except Exception:
        pass  # the stream was closed meanwhile (cancel, a cut): the reading side says what happened


def _kept(staging: Path) -> str:
    """Say what a failed pull leaves for a resume; a folder with no file in it is removed."""
    size = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file() and not p.is_symlink())
    if not size:
        shutil.rmtree(staging, ignore_errors=True)
        return "; nothing was kept"
    return f"; the {human_bytes(size)} copied so far are kept in {staging} (hidden): pull again to resume"


def local_write_problem(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"the local disk is full{where}: free some space"
    if exc.errno == errno.EDQUOT:
        return f"your disk quota is used up{where}"
    if exc.errno == errno.EFBIG:
        return f"a file is larger than the local file system or your file-size limit allows{where}"
    return f"cannot write locally{where}: {exc.strerror or exc}"


def _compare(remote: dict[str, str], local: Extracted) -> str:
    """Every file the pod's hasher listed arrived (unless refused here) with the pod's sha256."""
    missing = sorted(path for path in remote if path not in local.files and path not in local.refused_names)
    differ = sorted(path for path, digest in remote.items() if local.files.get(path, digest) != digest)
    problems = []
    if missing:
        problems.append(f"{len(missing)} file(s) the pod listed did not arrive: {listed(missing)}")
    if differ:
        problems.append(
            f"{len(differ)} file(s) differ from the pod's after the copy (still being written there?): {listed(differ)}"
        )
    if problems and local.refused:
        problems.append(_refusals(local.refused))
    if problems:
        raise FilesDiffer("; ".join(problems))
    return "sha256"


def _nothing_came(remote_path: str, refused: list[str]) -> str:
    if not refused:
        return f"{remote_path} came back empty"
    return f"nothing of {remote_path} could be written here; {_refusals(refused)}"


def _refusals(refused: list[str], shown: int = 3) -> str:
    more = f"; and {len(refused) - shown} more" if len(refused) > shown else ""
    return f"refused: {'; '.join(refused[:shown])}{more}"


class _Estimate:
    """The pod's estimate, read from its stderr until it has come (the file sums that follow make that long)."""

    def __init__(self, stream: ExecStream) -> None:
        self._stream = stream
        self._found: tuple[int | None, int | None] = (None, None)

    def __call__(self) -> tuple[int | None, int | None]:
        if self._found == (None, None):
            self._found = estimate(self._stream.stderr_so_far)
        return self._found


def estimate(stderr: bytes) -> tuple[int | None, int | None]:
    """Files and bytes (du's kilobytes), for the progress bar, from what the pod said beside the archive."""
    found = ESTIMATE.search(stderr)
    return (int(found.group(1)), int(found.group(2)) * 1024) if found else (None, None)


def tar_problem(message: str, stderr: bytes, local: str) -> str:
    for ours in (ESTIMATE, FILE_SUM, TAR_STATUS, HASHED, NO_HASHER):
        stderr = ours.sub(b"", stderr)
    said = stderr.decode(errors="replace").strip()
    text = f"{message} {said}".strip()
    if re.search(r"\btar: (command )?not found", text):
        missing: str | None = "tar"
    elif "executable file not found" in text or "no such file or directory: unknown" in text:
        missing = next((tool for tool in ("tar", "sh") if f'"{tool}"' in text or f"exec: {tool}:" in text), "tar")
    else:
        missing = None
    if missing is not None:
        return (
            f"this pod's image has no {missing}, which copying needs (tar, run by sh); use an image that has both "
            "(e.g. busybox, debian, python:3.11-slim)"
        )
    if "No such file" in text or "No such file" in local:
        return f"not found in the pod: {said or message}"
    if not text and ("unexpected end of data" in local or "empty file" in local):
        return "the archive from the pod ended early: its stream was cut short (by the node or the API server)"
    return text or local or "the copy failed"
