"""Copy a local file or folder into a pod (a dataset, code): tar over exec's stdin, with progress, sha256 of every
file checked in the pod afterwards, and an atomic arrival (a hidden folder in the pod, moved into place last).

A cut copy leaves that hidden folder (its name comes from the local path and the target); with resume=True the next
copy of the same local path to the same target sends only the files whose sha256 in the pod differs, and continues
a half-written file from its size when the pod's bytes are a prefix of the local file.

The folder chosen in the pod and the target in it are never gone through or replaced when they are links (a dangling
one included): the copy is refused before anything is written, naming where the link points.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.models.transfer.progress import TransferProgress, TransferSummary
from tui.services.exec.stream import ExecFailed, open_exec
from tui.services.kube.kube import KubeService
from tui.services.tar.stream import TarStream
from tui.services.transfer.pod_links import LINK_SAID, REFUSED, PodLink, pod_link
from tui.services.transfer.prefetch import prefetched
from tui.services.transfer.pull import (
    FILE_SUM,
    HASHED,
    PROGRESS_EVERY_S,
    TAR_STATUS,
    TransferFailed,
    tar_problem,
)
from tui.services.transfer.pull_resume import HASHER_CHOICE, LISTING, RemoteListing, file_sha256, parse_listing
from tui.services.transfer.told_exec import ToldExec

CHUNK = 1 << 20
FOLLOW_FROM = 32 << 20  # a smaller file is hashed after tar soon enough not to be worth following
# One exec does the whole copy: $1 where to extract, $2 a target that must not exist unless $3 is yes, $4 the name
# under $1 that a cut copy left (resume: its files listed) or empty, $5 the folder chosen in the pod ($1 and $2 lie in
# it). The folder and the target are refused when they are links, before anything is written (link_said); a cut
# copy's files are not listed when $1, or a folder in it, is a link (`new` then removes the link, not what it points
# to). Then k8sx:ready, and one line on stdin says what to do with $1: `new` empties it first, `resume` keeps it (a
# cut client, no line: nothing is touched). Says k8sx:go before reading the archive; once tar has read it all, its
# status and the sha256 of every file now in $1 (just written, so read back from the page cache) on stderr. Piping
# the archive through tee into a hasher as it arrived cost the pod several times the CPU of hashing the files
# afterwards. GNU tar reads in records of a megabyte (-B: whatever a pipe read returns) instead of 10 kB: markedly
# less of the pod's CPU for a large file.
#
# A second line names the archive's largest file ("SIZE NAME", or empty): that one is hashed while tar writes it,
# whole megabytes as they land (from the page cache), so little is left to hash once tar is done (the wait after the
# last byte all but disappears for a large file). Its sum counts only if exactly SIZE bytes were hashed;
# otherwise it is hashed afterwards with the rest. tar runs in the background (its stdin passed on by hand: an
# asynchronous command's is /dev/null) so that the follower knows by its pid when it has ended: a file saying so
# could be refused by a full disk, and a follower left waiting for it would never end.
#
# What is left to hash once tar is done is hashed in two halves at once, by a hasher each: the pod's other work is
# over by then, and every byte hashed there is waited for (most of the wait after the last byte of 10,000 files).
# The halves: names ending in an even digit, before any extension, and the others (numbered files split about
# evenly; any split is complete). The evens' sums go out as they come, the others' once those are done: two
# writers on one pipe could mix their lines.
FOLLOW = """
follow() {
  at=0
  while :; do
    kill -0 "$4" 2>/dev/null && ended=0 || ended=1
    size=$(stat -c %s "$1/$2" 2>/dev/null) || size=0
    whole=$((size / 1048576))
    if [ "$whole" -gt "$at" ]; then
      dd if="$1/$2" bs=1048576 skip="$at" count=$((whole - at)) 2>/dev/null || exit 1
      at=$whole
    elif [ "$ended" = 1 ]; then
      dd if="$1/$2" bs=1048576 skip="$at" 2>/dev/null || exit 1
      [ "$(stat -c %s "$1/$2")" = "$3" ] && : > "$1/.k8sx-whole"
      exit 0
    else
      sleep 0.05 2>/dev/null || sleep 1
    fi
  done
}
"""
PUSH_SCRIPT = (
    LINK_SAID
    + """
if [ -L "$5" ]; then link_said folder "$5"; exit 0; fi
if [ -n "$2" ] && [ -L "$2" ]; then link_said target "$2"; exit 0; fi
if [ "$3" != yes ] && [ -n "$2" ] && [ -e "$2" ]; then echo k8sx:exists; exit 0; fi
"""
    + HASHER_CHOICE
    + FOLLOW
    + """
unlinked() { [ ! -L "$1" ] && [ -z "$(find "$1" -type l -exec test -d {} \\; -print)" ]; }
if [ -n "$4" ] && [ -e "$1/$4" ] && unlinked "$1"; then ( set -- "$1" "$4"; """
    + LISTING
    + """ ) && echo //listed; fi
echo k8sx:ready
read -r plan || exit 0
IFS= read -r largest || exit 0
case "$plan" in new) rm -rf "$1" ;; resume) unlinked "$1" || exit 1 ;; *) exit 1 ;; esac
mkdir -p "$1" || exit 1
rm -f "$1/.k8sx-whole" "$1/.k8sx-followed"  # a follower's, left if the last copy was cut
records=""
tar --version 2>/dev/null | grep -q GNU && records="-b 2048 -B"
followed="" follower=""
if [ -n "$largest" ] && [ -n "$hasher" ] && command -v dd >/dev/null && command -v stat >/dev/null; then
  followed=${largest#* }
  rm -f "$1/$followed"
fi
echo k8sx:go
exec 3<&0
tar xf - $records -C "$1" <&3 3<&- &
tar=$!
exec 3<&-
if [ -n "$followed" ]; then
  ( follow "$1" "$followed" "${largest%% *}" "$tar" | $hasher > "$1/.k8sx-followed" ) &
  follower=$!
fi
wait "$tar"
echo "k8sx:tar $?" >&2
skip=""
if [ -n "$follower" ]; then
  wait "$follower"
  if [ -e "$1/.k8sx-whole" ] && read -r sum _ < "$1/.k8sx-followed" && inode=$(stat -c %i "$1/$followed"); then
    echo "$sum *./$followed" >&2
    skip="! -inum $inode"
  fi
  rm -f "$1/.k8sx-whole" "$1/.k8sx-followed"
fi
if [ -n "$hasher" ]; then
  even='*[02468]'
  ( set +x  # under sh -x (as tests run it) two traces at once would mix their words
    cd "$1" && exec find . -type f ! -path "*$nl*" $skip \\( -name "$even" -o -name "$even.*" \\) \\
    -exec $hasher {} + 2>/dev/null ) >&2 &
  evens=$!
  sums=$(cd "$1" && find . -type f ! -path "*$nl*" $skip ! \\( -name "$even" -o -name "$even.*" \\) \\
    -exec $hasher {} + 2>/dev/null); hashed=$?
  wait "$evens" || hashed=1
  printf '%s\\n' "$sums" >&2
  echo "k8sx:hashed $hashed" >&2
else
  echo k8sx:nohash >&2
fi
"""
)
READY, EXISTS, LISTED = b"k8sx:ready\n", b"k8sx:exists\n", b"//listed\n"  # lines PUSH_SCRIPT says
# $1 the copy's hidden folder, $2 the target, $3 the copy's name in $1, $4 the folder chosen: the copy moved into
# place, unless the folder or the target became a link while it ran (a link is never replaced, even one made late).
MOVE_IN = (
    LINK_SAID
    + """
if [ -L "$4" ]; then link_said folder "$4"
elif [ -L "$2" ]; then link_said target "$2"
else rm -rf "$2" && mv "$1/$3" "$2" && { rm -rf "$1"; echo k8sx:moved; }
fi
"""
)
# MOVE_IN in an exec opened once the last byte is sent, while the pod's tar and hashers finish, so that its setup (a
# connection, the API server, the pod's shell) is not waited for afterwards (opened earlier, it would sit idle for
# the whole copy, which a load balancer may cut): it moves only when told `move` (no line, a closed stream: nothing).
MOVE_WHEN_TOLD = 'read -r said || exit 0\n[ "$said" = move ] || exit 0\n' + MOVE_IN


class _Cancelled(Exception):
    pass


@dataclass
class UploadMeter:
    """Bytes sent and files done, reported at most every PROGRESS_EVERY_S."""

    progress: Callable[[TransferProgress], None] | None
    bytes_total: int | None
    files_total: int | None
    started: float
    sent: int = 0
    files_done: int = 0
    _last: float = 0.0

    def add(self, count: int) -> None:
        self.sent += count

    def file_done(self, current: str) -> None:
        self.files_done += 1
        self.report(current)

    def report(self, current: str, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is not None and (force or now - self._last >= PROGRESS_EVERY_S):
            self._last = now
            self.progress(
                TransferProgress(
                    self.sent, self.bytes_total, self.files_done, self.files_total, current, now - self.started
                )
            )


class AlreadyInPod(TransferFailed):
    def __init__(self, target: str) -> None:
        super().__init__(f"{target} already exists in the pod")


@dataclass
class Sent:
    verified: str  # "sha256": every file in the pod has our sha256; "size": the pod could not hash
    digests: dict[str, str]  # sha256 of each file sent


class LinkRefused(TransferFailed):
    """The folder chosen in the pod, or the target in it, is a link: the copy neither goes through it nor replaces
    it."""


class CopyInExec:
    """One exec of PUSH_SCRIPT in the pod. Opening it checks the folder `into` lies in and the target (LinkRefused,
    AlreadyInPod: before any byte is sent) and lists what a cut copy left under `into` (`listing`, when `listed`
    names it); `send` then sends the archive. Nothing is removed in the pod on cancel or failure: the caller
    decides."""

    def __init__(
        self,
        kube: KubeService,
        namespace: str,
        pod: str,
        container: str | None,
        into: str,
        target: str = "",
        overwrite: bool = True,
        listed: str = "",
    ) -> None:
        folder = posixpath.dirname(into) or "."
        args = [into, target, "yes" if overwrite else "no", listed, folder]
        try:
            self.stream = open_exec(kube, namespace, pod, ["sh", "-c", PUSH_SCRIPT, "sh", *args], container, True)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        self.output = self.stream.stdout()
        try:
            said = self._until(READY, EXISTS, REFUSED)
        except BaseException:
            self.stream.close()
            raise
        if said.endswith((EXISTS, REFUSED)):
            self.stream.close()
            link = pod_link(said.decode(errors="replace"))
            if link is None:
                raise AlreadyInPod(target)
            raise LinkRefused(link_refusal(link, folder, target))
        self.listing: RemoteListing | None = None
        if said.endswith(LISTED + READY):
            listing = parse_listing(said[: -len(LISTED + READY)].decode(errors="surrogateescape"))
            self.listing = listing if set(listing.sizes) == set(listing.digests) else None

    def _until(self, *markers: bytes) -> bytes:
        """Stdout up to one of the markers, each the last line the script says before it waits or ends (a file
        listed before it may have any name); TransferFailed with the pod's words when the script ends without."""
        said = b""
        try:
            for piece in self.output:
                said += piece
                if said.endswith(markers):
                    return said
            outcome = self.stream.outcome()
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))

    def send(
        self,
        root: Path,
        paths: Sequence[str],
        prefix: str,
        meter: UploadMeter,
        cancel: threading.Event | None,
        fresh: bool,
        kept: dict[str, str] | None = None,
        all_sent: Callable[[], None] | None = None,
    ) -> Sent:
        """Files under root (relative paths) as one tar, named prefix/path, extracted under `into` (emptied first
        when fresh); their sha256 in the pod checked against ours and the `kept` ones'. `all_sent` is called once
        the last byte is sent, while the pod's tar and hashers finish."""
        # Headers made here, not by tarfile.gettarinfo (which looks up user and group names file by file), and
        # written in chunks of about a megabyte, however small the files.
        archive = TarStream(root, paths, prefix, hash_files=True)
        try:
            self.stream.write((b"new\n" if fresh else b"resume\n") + _follow_line(archive))
            self._until(b"k8sx:go\n")
            # The next megabyte read and hashed while this one is sent; leaving early stops the reading at once.
            with contextlib.closing(prefetched(archive)) as chunks:
                for chunk in chunks:
                    if cancel is not None and cancel.is_set():
                        raise TransferFailed("cancelled")
                    self.stream.write(chunk)
                    meter.add(len(chunk))
                    meter.files_done = archive.files_sent
                    meter.report(archive.current)
            self.stream.close_stdin()
            if all_sent is not None:
                all_sent()
            for _ in self.output:
                pass
            outcome = self.stream.outcome()
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        status = TAR_STATUS.search(outcome.stderr)
        if not outcome.succeeded or (status is not None and status.group(1) != b"0"):
            raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        return Sent(verify_listed_sums(outcome.stderr, archive.digests | (kept or {})), archive.digests)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> CopyInExec:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def link_refusal(link: PodLink, folder: str, target: str) -> str:
    """What a copy says of the link it refused: the folder chosen in the pod, or the target in it."""
    if link.name == "folder":
        return link.refusal(folder, "copy into the folder it points to instead")
    return link.refusal(target, "copy to where it points instead, or remove the link")


def _follow_line(archive: TarStream) -> bytes:
    """The second line PUSH_SCRIPT reads: the file it hashes while tar writes it, if one is worth it."""
    largest = archive.largest_file()
    if largest is None or largest.size < FOLLOW_FROM or "\n" in largest.name:
        return b"\n"
    return f"{largest.size} {largest.name}\n".encode(errors="surrogateescape")


def send_tar(
    kube: KubeService,
    namespace: str,
    pod: str,
    container: str | None,
    into: str,
    root: Path,
    paths: Sequence[str],
    prefix: str,
    meter: UploadMeter,
    cancel: threading.Event | None,
) -> Sent:
    """Send files under root into a fresh (emptied) `into` in the pod: CopyInExec without a target or a resume."""
    with CopyInExec(kube, namespace, pod, container, into) as copy_in_exec:
        return copy_in_exec.send(root, paths, prefix, meter, cancel, fresh=True)


def verify_listed_sums(stderr: bytes, ours: dict[str, str]) -> str:
    """Every file's sha256 in the pod against ours: "sha256", or "size" when the pod could not hash."""
    if HASHED.search(stderr) is None:
        return "size"
    theirs = {posixpath.normpath(name.decode(errors="surrogateescape")): digest.decode()
              for digest, name in FILE_SUM.findall(stderr)}  # fmt: skip
    wrong = sorted(path for path, digest in ours.items() if theirs.get(path, digest) != digest)
    if wrong:
        raise TransferFailed(f"{len(wrong)} file(s) in the pod differ from the local ones: {', '.join(wrong[:5])}")
    unlisted = sum(path not in theirs for path in ours)
    return "sha256" if not unlisted else "size" if unlisted == len(ours) else f"sha256 ({unlisted} by size)"


def _prefix_sha256(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        remaining = size
        while remaining > 0 and (chunk := handle.read(min(CHUNK, remaining))):
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def files_under(root: Path) -> dict[str, int]:
    """Size of every file under root (relative POSIX paths; links to files too, not into linked folders)."""
    sizes: dict[str, int] = {}
    top = os.fspath(root)
    for folder, _, names in os.walk(top):
        relative = os.path.relpath(folder, top).replace(os.sep, "/")
        for name in names:
            try:
                status = os.stat(os.path.join(folder, name))
            except OSError:  # a dangling link, or gone since it was listed
                continue
            if stat.S_ISREG(status.st_mode):
                sizes[name if relative == "." else f"{relative}/{name}"] = status.st_size
    return sizes


def staging_name(local_path: Path, target: str) -> str:
    key = hashlib.sha256(f"{local_path}->{target}".encode()).hexdigest()[:10]
    return f".k8sx-partial-{key}"


class PodCopyIn:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def copy_in(
        self,
        local_path: Path,
        namespace: str,
        pod: str,
        remote_dir: str,
        container: str | None = None,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        resume: bool = False,
    ) -> TransferSummary:
        """Copy local_path into remote_dir/<its name> in the pod."""
        local_path = local_path.expanduser().absolute()
        target = posixpath.join(remote_dir.rstrip("/") or "/", local_path.name)
        return self.copy_to(local_path, namespace, pod, target, container, overwrite, progress, cancel, resume)

    def copy_to(
        self,
        local_path: Path,
        namespace: str,
        pod: str,
        target: str,
        container: str | None = None,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        resume: bool = False,
    ) -> TransferSummary:
        """Copy local_path to `target` in the pod: the folder or file arrives under that path, whatever its name
        here (copy_in_target.py finds `target` by the rules of docker cp)."""
        local_path = local_path.expanduser().absolute()
        if not local_path.exists():
            raise TransferFailed(f"{local_path} does not exist")
        name = local_path.name
        target = target.rstrip("/") or "/"
        if target == "/":
            raise TransferFailed("/ cannot be replaced by a copy: name a folder in it")
        remote_dir = posixpath.dirname(target) or "."
        staging = posixpath.join(remote_dir, staging_name(local_path, target))
        # Names in the tar (and in the pod's listing) start with `name`: root is the folder, or a file's parent.
        if local_path.is_dir():
            root, prefix = local_path, name
            sizes = files_under(root)
        else:
            root, prefix, sizes = local_path.parent, "", {name: local_path.stat().st_size}
        paths, total_bytes = sorted(sizes), sum(sizes.values())
        meter = UploadMeter(progress, total_bytes, len(paths), time.monotonic())
        with self._mover(namespace, pod, container, staging, target, name, remote_dir) as mover:
            try:
                listed = (prefix or paths[0]) if resume else ""
                with CopyInExec(
                    self.kube, namespace, pod, container, staging, target, overwrite, listed
                ) as copy_in_exec:
                    to_send, hashes, reused = paths, dict[str, str](), 0
                    if copy_in_exec.listing is not None:
                        to_send, hashes, reused = self._resume(
                            copy_in_exec.listing, namespace, pod, container, staging, root, prefix, paths, meter, cancel
                        )
                        meter.bytes_total = total_bytes - reused
                    sent = copy_in_exec.send(
                        root, to_send, prefix, meter, cancel, fresh=not hashes, kept=hashes, all_sent=mover.start
                    )
            except (AlreadyInPod, LinkRefused):
                raise
            except _Cancelled:
                raise TransferFailed("cancelled; what arrived is kept in the pod: copy again to resume") from None
            except TransferFailed as exc:
                raise TransferFailed(f"{exc}; what arrived is kept in the pod: copy again to resume") from exc
            moved = self._move(mover)  # not reached by a failed or cancelled copy: closed untold, it moves nothing
        link = pod_link(moved)
        if link is not None:
            raise LinkRefused(f"{link_refusal(link, remote_dir, target)}; the copy is kept in {staging}")
        if "k8sx:moved" not in moved:
            raise TransferFailed(f"the copy arrived in {staging} but could not be moved to {target}")
        verified = sent.verified
        meter.report(name, force=True)
        return TransferSummary(
            Path(target), len(paths), total_bytes, verified, time.monotonic() - meter.started, [], meter.sent, reused
        )

    def _mover(self, namespace: str, pod: str, container: str | None, *args: str) -> ToldExec:
        """MOVE_IN's exec, started by the copy once its last byte is sent; _move tells it to move once every file
        is checked (or opens it then, when the copy sent nothing)."""
        command = ["sh", "-c", MOVE_WHEN_TOLD, "sh", *args]
        return ToldExec(lambda: open_exec(self.kube, namespace, pod, command, container, stdin=True))

    @staticmethod
    def _move(mover: ToldExec) -> str:
        try:
            output, _ = mover.tell(b"move\n")
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        return output.decode(errors="replace")

    def _resume(
        self,
        listing: RemoteListing,
        namespace: str,
        pod: str,
        container: str | None,
        staging: str,
        root: Path,
        prefix: str,
        paths: list[str],
        meter: UploadMeter,
        cancel: threading.Event | None,
    ) -> tuple[list[str], dict[str, str], int]:
        """What is left to send after a cut copy: (paths still to send whole, hashes of the others, bytes reused).
        Files equal in the pod are kept; a file whose pod copy is a prefix of the local one gets the rest appended
        (by an exec of its own, while the copy's exec waits to be told to keep the staging folder)."""
        remaining: list[str] = []
        hashes: dict[str, str] = {}
        reused = 0
        for path in paths:
            local, arcname = root / path, posixpath.join(prefix, path) if prefix else path
            digest, there = file_sha256(local), listing.sizes.get(arcname, 0)
            if listing.digests.get(arcname) == digest:
                hashes[arcname] = digest
                reused += there
                meter.file_done(arcname)
            elif 0 < there < local.stat().st_size and _prefix_sha256(local, there) == listing.digests[arcname]:
                self._append(namespace, pod, container, posixpath.join(staging, arcname), local, there, meter, cancel)
                hashes[arcname] = digest
                reused += there
                meter.file_done(arcname)
            else:
                remaining.append(path)
        return remaining, hashes, reused

    def _append(
        self,
        namespace: str,
        pod: str,
        container: str | None,
        remote: str,
        local: Path,
        offset: int,
        meter: UploadMeter,
        cancel: threading.Event | None,
    ) -> None:
        try:
            stream = open_exec(
                self.kube, namespace, pod, ["sh", "-c", 'cat >> "$1"', "sh", remote], container, stdin=True
            )
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        try:
            with open(local, "rb") as handle:
                handle.seek(offset)
                while chunk := handle.read(CHUNK):
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled()
                    stream.write(chunk)
                    meter.add(len(chunk))
                    meter.report(remote)
            stream.close_stdin()
            outcome = stream.outcome()
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        finally:
            stream.close()
        if not outcome.succeeded:
            raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
