"""Push a local code folder's changes into a running pod: only files whose sha256 differs from the pod's copy (or
that the pod lacks) are sent, as one tar; files gone locally are deleted in the pod only when asked.

So re-running an experiment with modified code needs no image rebuild and no full re-copy. Build and tool
folders (.git, __pycache__, .venv, ...) and the app's own (./results, partial folders) are left out on both sides:
the pod's own __pycache__ is not "deleted locally", nor its results.

Each file lands whole: the tar is extracted into a hidden staging folder inside the pod's folder (the same file
system, so a rename is atomic), and only once the whole archive has arrived and tar has said so is each file renamed
over its target (`mv -f`). A sync cut while sending leaves the pod's files as they were (the staging folder is
removed on cancel, else emptied by the next sync, and never listed); one cut while renaming leaves every file either
old or new, never half-written. A link in the pod on the way (the synced folder, or a folder in it) is refused before
any file moves, naming where it points. Busybox sh, find, mv and readlink are enough.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import posixpath
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.models.transfer.app_folders import is_app_folder, results_folder, results_within
from tui.models.transfer.progress import TransferProgress
from tui.services.exec.stream import ExecFailed, open_exec, run
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import LinkRefused, UploadMeter, send_tar
from tui.services.transfer.pod_links import LINK_SAID, pod_link
from tui.services.transfer.pull import TransferFailed, tar_problem
from tui.services.transfer.pull_resume import file_sha256, parse_listing

SKIPPED = (".git", "__pycache__", ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules")
SKIPPED_FILES = ("*.pyc", ".DS_Store")
# $1 the staging folder, $2 the synced folder: every file in $1 renamed over its namesake in $2 (folders made as
# needed), then $1 removed. Both are made absolute first (the form takes a relative folder). $2 that is a link is
# refused at once, nothing done through it. Then every file is checked before the first one moves, so a refusal
# leaves the pod's files as they were (and removes $1): a folder on the way that is a link (link_said: nothing lands
# outside $2), a folder where a file goes, a file where a folder goes. A link where a file goes is replaced, never
# followed. Names go to mv as ./NAME (a leading '-' is not an option).
MOVE_INTO_PLACE = (
    LINK_SAID
    + r"""
if [ -L "$2" ]; then link_said . "$2" >&2; exit 1; fi
dst=$(cd "$2" && pwd) || exit 1
cd "$1" || exit 1
src=$(pwd)
find . -type f -exec sh -c '"""
    + LINK_SAID
    + r"""
set -f
for f; do
  f=${f#./}; t="$0/$f"
  case $f in */*)
    p=$0; IFS=/
    for part in ${f%/*}; do
      p="$p/$part"
      if [ -L "$p" ]; then link_said "${p#"$0"/}" "$p" >&2; exit 1; fi
      if [ -e "$p" ] && [ ! -d "$p" ]; then echo "k8sx:isfile ${p#"$0"/}" >&2; exit 1; fi
    done
    unset IFS;;
  esac
  if [ ! -L "$t" ] && [ -d "$t" ]; then echo "k8sx:isdir $f" >&2; exit 1; fi
done' "$dst" {} + || { cd / && rm -rf "$src"; exit 1; }
find . -type f -exec sh -c '
set -f
for f; do
  f=${f#./}; t="$0/$f"
  case $f in */*) mkdir -p "$0/${f%/*}" || exit 1;; esac
  if [ -L "$t" ]; then rm -f "$t" || exit 1; fi
  if [ -d "$t" ]; then echo "k8sx:isdir $f" >&2; exit 1; fi
  mv -f "./$f" "$t" || exit 1
done' "$dst" {} + || exit 1
cd / && rm -rf "$src"
"""
)
STAGING = ".k8sx-sync-staging"  # inside the synced folder: renames out of it never cross a file system
# The pod's side: sha256 of every file under the folder; an absent folder is an empty listing, not an error, and a
# folder that is a link is refused (link_said): neither its files nor those deleted in it are what they seem.
POD_LISTING = (
    LINK_SAID
    + """
if [ -L "$1" ]; then link_said . "$1" >&2; exit 1; fi
[ -d "$1" ] || exit 0; cd "$1" && find . -type f -exec sha256sum {} +
"""
)


def skipped(relative: str, results: str | None = None) -> bool:
    """Left out on both sides: build and tool folders, the staging folder, and the app's own folders (`results`:
    the results folder relative to the synced one, app_folders.results_within)."""
    parts = relative.split("/")
    if parts[0] == STAGING or is_app_folder(relative, results):
        return True
    return any(part in SKIPPED for part in parts[:-1]) or any(fnmatch.fnmatch(parts[-1], p) for p in SKIPPED_FILES)


def local_digests(root: Path, results: str | None = None) -> dict[str, str]:
    """sha256 of every file under root by relative path (posix), build, tool and the app's folders left out."""
    found: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder)
        inside = base.relative_to(root).as_posix()
        prefix = "" if inside == "." else inside + "/"
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED and not is_app_folder(f"{prefix}{d}/", results))
        for name in sorted(filenames):
            path = base / name
            relative = path.relative_to(root).as_posix()
            if path.is_file() and not path.is_symlink() and not skipped(relative, results):
                found[relative] = file_sha256(path)
    return found


@dataclass(frozen=True)
class SyncPlan:
    local_dir: Path
    remote_dir: str
    new: list[str] = field(default_factory=list)  # not in the pod yet
    changed: list[str] = field(default_factory=list)  # in the pod, with other bytes
    gone: list[str] = field(default_factory=list)  # in the pod, no longer here
    unchanged: int = 0
    digests: dict[str, str] = field(default_factory=dict)  # the local files' sha256
    results: str | None = None  # the app's results folder relative to both folders, left out on both sides

    @property
    def to_send(self) -> list[str]:
        return self.new + self.changed


@dataclass(frozen=True)
class SyncSummary:
    sent_files: int
    sent_bytes: int  # over the connection, tar headers included
    deleted: int
    unchanged: int
    verified: str  # "sha256": the pod's copy of every local file was checked afterwards
    seconds: float


def move_refusal(said: str, remote_dir: str) -> str:
    """What MOVE_INTO_PLACE's refusal (or failure) says, in the user's words."""
    link = pod_link(said)
    if link is not None:
        path = remote_dir if link.name == "." else posixpath.join(remote_dir, link.name)
        advice = "sync into the folder it points to instead"
        if link.name != ".":
            advice = f"files are never synced through a link: {advice}"
        return link.refusal(path, advice, "refused, nothing was synced")
    folder = re.search(r"^k8sx:isdir (.*)$", said, re.MULTILINE)
    if folder:
        return f"{folder.group(1)} is a folder in the pod but a file here: remove one of them"
    file = re.search(r"^k8sx:isfile (.*)$", said, re.MULTILINE)
    if file:
        return f"{file.group(1)} is a file in the pod but a folder here: remove one of them"
    return f"renaming the sent files into place failed: {said}"


class CodeSync:
    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def _pod_digests(
        self, namespace: str, pod: str, remote_dir: str, container: str | None, results: str | None
    ) -> dict[str, str]:
        try:
            output, outcome = run(self.kube, namespace, pod, ["sh", "-c", POD_LISTING, "sh", remote_dir], container)
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        if not outcome.succeeded:
            said = outcome.stderr.decode(errors="replace").strip() or outcome.message
            link = pod_link(said)
            if link is not None:
                raise TransferFailed(link.refusal(remote_dir, "sync into the folder it points to instead"))
            if "sha256sum" in said:
                raise TransferFailed("this pod's image has no sha256sum, which comparing files needs")
            raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
        listed = parse_listing(output.decode(errors="replace")).digests
        found = {path.removeprefix("./"): digest for path, digest in listed.items()}
        return {path: digest for path, digest in found.items() if not skipped(path, results)}

    def plan(
        self,
        local_dir: Path,
        namespace: str,
        pod: str,
        remote_dir: str,
        container: str | None = None,
        results: Path | None = None,
    ) -> SyncPlan:
        """Compare the local folder with the pod's folder (one exec: sha256sum of every file in the pod).
        `results`: where pulls land (default ./results of the working directory), left out on both sides."""
        local_dir = local_dir.expanduser().absolute()
        if not local_dir.is_dir():
            raise TransferFailed(f"{local_dir} is not a folder")
        remote_dir = remote_dir.rstrip("/") or "/"
        within = results_within(local_dir, results or results_folder(Path.cwd()))
        local = local_digests(local_dir, within)
        remote = self._pod_digests(namespace, pod, remote_dir, container, within)
        return SyncPlan(
            local_dir,
            remote_dir,
            new=[p for p in local if p not in remote],
            changed=[p for p, digest in local.items() if p in remote and remote[p] != digest],
            gone=sorted(p for p in remote if p not in local),
            unchanged=sum(1 for p, digest in local.items() if remote.get(p) == digest),
            digests=local,
            results=within,
        )

    def sync(
        self,
        plan: SyncPlan,
        namespace: str,
        pod: str,
        container: str | None = None,
        delete: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncSummary:
        """Send plan.to_send into plan.remote_dir, delete plan.gone when asked, then check every file's sha256."""
        started = time.monotonic()
        sizes = {path: (plan.local_dir / path).stat().st_size for path in plan.to_send}
        meter = UploadMeter(progress, sum(sizes.values()), len(sizes), started)
        if plan.to_send:
            staging = posixpath.join(plan.remote_dir, STAGING)
            try:
                send_tar(
                    self.kube, namespace, pod, container, staging, plan.local_dir, plan.to_send, "", meter, cancel
                )  # fmt: skip
            except LinkRefused:
                raise
            except TransferFailed as exc:
                if cancel is not None and cancel.is_set():
                    self._remove_staging(namespace, pod, container, staging)
                    raise TransferFailed("cancelled: the pod's files are as they were, nothing was replaced") from exc
                raise TransferFailed(f"{exc}; the pod's files are as they were (sync again)") from exc
            self._move_into_place(namespace, pod, container, staging, plan.remote_dir)
        deleted = 0
        if delete and plan.gone:
            self._delete(namespace, pod, container, plan.remote_dir, plan.gone)
            deleted = len(plan.gone)
        remote = self._pod_digests(namespace, pod, plan.remote_dir, container, plan.results)
        wrong = sorted(p for p, digest in plan.digests.items() if remote.get(p) != digest)
        if wrong:
            raise TransferFailed(f"{len(wrong)} file(s) differ in the pod after the sync: {', '.join(wrong[:5])}")
        meter.report("", force=True)
        return SyncSummary(len(plan.to_send), meter.sent, deleted, plan.unchanged, "sha256", time.monotonic() - started)

    def _move_into_place(self, namespace: str, pod: str, container: str | None, staging: str, remote_dir: str) -> None:
        command = ["sh", "-c", MOVE_INTO_PLACE, "sh", staging, remote_dir]
        try:
            _, outcome = run(self.kube, namespace, pod, command, container)
        except ExecFailed as exc:
            raise TransferFailed(
                f"{exc} (while renaming the sent files into place: each is old or new, sync again)"
            ) from exc
        if not outcome.succeeded:
            said = outcome.stderr.decode(errors="replace").strip() or outcome.message
            raise TransferFailed(move_refusal(said, remote_dir))

    def _remove_staging(self, namespace: str, pod: str, container: str | None, staging: str) -> None:
        """Best effort after a cancel (the connection still works); a leftover is emptied by the next sync."""
        with contextlib.suppress(ExecFailed):
            run(self.kube, namespace, pod, ["sh", "-c", 'rm -rf "$1"', "sh", staging], container)

    def _delete(self, namespace: str, pod: str, container: str | None, remote_dir: str, paths: list[str]) -> None:
        """rm the files by name, read from stdin (thousands of names would not fit in the exec's URL)."""
        script = 'cd "$1" && xargs -0 rm -f --'
        try:
            stream = open_exec(self.kube, namespace, pod, ["sh", "-c", script, "sh", remote_dir], container, True)
            try:
                stream.write(b"".join(path.encode() + b"\0" for path in paths))
                stream.close_stdin()
                outcome = stream.outcome()
            finally:
                stream.close()
        except ExecFailed as exc:
            raise TransferFailed(str(exc)) from exc
        if not outcome.succeeded:
            raise TransferFailed(
                f"deleting in the pod failed: {outcome.stderr.decode(errors='replace') or outcome.message}"
            )
