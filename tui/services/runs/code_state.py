"""The code a run was started from: for a build context inside a git checkout its commit, branch, `git diff HEAD`
and untracked files; else a sha256 over the folder's files. Read at every apply, so each part is bounded (time,
bytes, files) and what was left out is said in `CodeState.note`: a slow or huge repository never holds up an apply."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import stat
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from tui.models.runs.run import CodeState
from tui.models.transfer.app_folders import results_folder
from tui.models.units import counted, human_bytes
from tui.services.images.build_context import copied_paths

GIT_TIMEOUT_S = 5.0
DIFF_LIMIT = 5_000_000  # bytes of `git diff HEAD` kept
UNTRACKED_LIMIT = 500  # untracked files listed
HASH_LIMIT_BYTES = 64_000_000  # a folder larger than this (or with more files) is not hashed
HASH_LIMIT_FILES = 20_000
_CHUNK = 2**20
# Never run a command the repository's own config names (an fsmonitor hook, an external diff or textconv), never
# take the index lock (a `git commit` in the user's terminal at the same moment must not fail), never prompt.
_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false")
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Output:
    data: bytes
    cut: bool  # more than the limit came: `data` is its beginning
    ok: bool  # exited 0 within the timeout


def code_state(folder: Path) -> CodeState:
    """The folder's code state: a git checkout's (a repository with a commit), else its content hash."""
    folder = folder.absolute()
    return _git_state(folder) or _hashed_state(folder)


# ---------------------------------------------------------------- a git checkout


def _git_state(folder: Path) -> CodeState | None:
    head = _git(folder, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    commit = head.data.decode(errors="replace").strip()
    if not head.ok or not commit:  # not a checkout, no commit yet, no git, or no answer: the files are hashed instead
        return None
    branch = _git(folder, "symbolic-ref", "--short", "-q", "HEAD")  # fails on a detached HEAD: no branch
    notes: list[str] = []
    # Only the build context's changes (`-- .`: this folder): the rest of the repository is not in the image.
    diff = _git(folder, "diff", "HEAD", "--no-ext-diff", "--no-textconv", "--no-color", "--", ".", limit=DIFF_LIMIT)
    if diff.cut:
        notes.append(f"git diff cut at its first {human_bytes(DIFF_LIMIT)}")
    elif not diff.ok:
        notes.append("git diff HEAD failed or gave no answer in time: the changes are not recorded")
    untracked = _git(folder, "ls-files", "-z", "--others", "--exclude-standard", limit=_CHUNK)
    names = [os.fsdecode(name) for name in untracked.data.split(b"\0") if name]  # -z: names may hold newlines
    if untracked.cut:
        names = names[:-1]  # the last one may be cut short
    if len(names) > UNTRACKED_LIMIT or untracked.cut:
        more = "more than " if untracked.cut else ""
        notes.append(f"{more}{counted(len(names), 'untracked file')}: the first {UNTRACKED_LIMIT} listed")
    elif not untracked.ok:
        notes.append("git ls-files failed or gave no answer in time: untracked files are not listed")
    return CodeState(
        folder=str(folder),
        commit=commit,
        branch=branch.data.decode(errors="replace").strip() if branch.ok else "",
        diff=diff.data.decode(errors="replace") if diff.ok else "",
        untracked=tuple(sorted(names)[:UNTRACKED_LIMIT]),
        note="; ".join(notes),
    )


def _git(folder: Path, *args: str, limit: int = 4096) -> _Output:
    """`git -C folder ARGS`: at most `limit` bytes of its output, killed after GIT_TIMEOUT_S. A missing git binary or
    a refusal (not a repository, an unsafe owner) is `ok=False`, as for a folder outside git."""
    try:
        process = subprocess.Popen(
            [*_GIT, "-C", str(folder), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **_GIT_ENV},
            start_new_session=True,  # its own process group: a child it started goes with it when it is killed
        )
    except OSError as exc:
        log.info("git not run in %s: %s", folder, exc)
        return _Output(b"", False, False)
    timer = threading.Timer(GIT_TIMEOUT_S, _kill, (process,))
    timer.start()
    try:
        assert process.stdout is not None
        data = process.stdout.read(limit + 1)
        cut = len(data) > limit
        if cut:
            _kill(process)  # enough: the rest is not read
        process.stdout.close()
        returncode = process.wait()
    finally:
        timer.cancel()
    if returncode < 0 and not cut:
        log.warning("git %s in %s gave no answer within %.0f s", args[0], folder, GIT_TIMEOUT_S)
    return _Output(data[:limit], cut, cut or returncode == 0)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------- any other folder: its content hash

_FILE, _LINK, _UNREADABLE = b"F", b"L", b"U"


def _hashed_state(folder: Path) -> CodeState:
    listed = _listing(folder)
    if isinstance(listed, str):
        return CodeState(folder=str(folder), note=listed)
    try:  # what a build sends of the folder: results pulled into it, or what .dockerignore leaves out, change no code
        sent = set(copied_paths(folder, results_folder(folder)))
        listed = [entry for entry in listed if entry[0] in sent]
    except Exception:  # a .dockerignore docker-py cannot read: every file counts
        log.debug("hashing %s without its .dockerignore", folder, exc_info=True)
    digest = hashlib.sha256()
    for relative, path, kind in sorted(listed):
        name = os.fsencode(relative)
        digest.update(b"%s%d:%s" % (kind, len(name), name))  # length-prefixed: a name holding \0 or \n is no trouble
        if kind == _LINK:  # the link's own text: never followed (it may point out of the folder, or nowhere)
            digest.update(_read_link(path))
        elif kind == _FILE:
            _hash_file(digest, path)
        digest.update(b"\0")
    return CodeState(folder=str(folder), content_hash=digest.hexdigest())


def _listing(folder: Path) -> list[tuple[str, str, bytes]] | str:
    """(relative path, path, kind) of every regular file and symlink under `folder` (not under .git), or why it is
    not hashed: too many files or bytes, or unreadable. Sockets, pipes and devices are left out."""
    found: list[tuple[str, str, bytes]] = []
    total = 0
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            if not prefix:
                return f"not hashed: cannot read {folder}: {exc.strerror}"
            found.append((prefix, directory, _UNREADABLE))
            continue
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            try:
                if entry.is_symlink():
                    found.append((relative, entry.path, _LINK))
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name != ".git":
                        pending.append((entry.path, relative + "/"))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
                    found.append((relative, entry.path, _FILE))
            except OSError:
                continue  # gone meanwhile
            if total > HASH_LIMIT_BYTES:
                return f"not hashed: {folder} holds more than {human_bytes(HASH_LIMIT_BYTES)}"
            if len(found) > HASH_LIMIT_FILES:
                return f"not hashed: {folder} holds more than {counted(HASH_LIMIT_FILES, 'file')}"
    return found


def _read_link(path: str) -> bytes:
    try:
        return os.fsencode(os.readlink(path))
    except OSError:
        return b"?"


def _hash_file(digest: hashlib._Hash, path: str) -> None:
    """Its size, then its bytes (up to the limit: it may have grown since it was listed). Opened without following
    a link and without blocking: a file swapped for a link or a FIFO since the listing is not read."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        digest.update(b"unreadable")
        return
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            digest.update(b"not a file")
            return
        digest.update(b"%d:" % status.st_size)
        left = min(status.st_size, HASH_LIMIT_BYTES)
        while left > 0 and (chunk := os.read(handle, min(_CHUNK, left))):
            digest.update(chunk)
            left -= len(chunk)
    except OSError:
        digest.update(b"unreadable")
    finally:
        os.close(handle)
