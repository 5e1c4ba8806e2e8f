"""Where a copy into a pod lands, by the rules of `docker cp` (and `kubectl cp`), decided from what the pod has at
the place typed. Pure: services/transfer/copy_in_target.py asks the pod.

A folder `data` copied to DEST: DEST a folder in the pod -> DEST/data; DEST not there -> DEST, holding the contents
of `data` (no DEST/data). A file copied to DEST: DEST a folder -> DEST/file; DEST not there -> the file named DEST;
DEST a file -> replaced. DEST ending in `/` that is not there is made a folder (docker cp refuses this), so a file
lands inside it. A link is never gone through or replaced (what it points to is the pod's choice).
"""

from __future__ import annotations

import enum
import posixpath
from dataclasses import dataclass


class PodKind(enum.Enum):
    MISSING = "missing"
    FOLDER = "folder"
    FILE = "file"
    LINK = "link"  # leads somewhere
    DANGLING = "dangling"  # a link that leads nowhere


@dataclass(frozen=True)
class PodEntry:
    """One path in the pod as the pod said it: its kind, and where a link points ("" when not a link)."""

    kind: PodKind
    to: str = ""

    @property
    def is_link(self) -> bool:
        return self.kind in (PodKind.LINK, PodKind.DANGLING)


@dataclass(frozen=True)
class Around:
    """What the pod has at the place typed (`dest`), in the folder holding it, and at `dest/<name>`."""

    parent: PodEntry
    dest: PodEntry
    inside: PodEntry


@dataclass(frozen=True)
class CopyTarget:
    target: str  # the final path in the pod: the copied folder or file is this
    why: str  # the rule that chose it, in words
    replaces: PodKind  # what is there now (MISSING: nothing is replaced)


class TargetRefused(Exception):
    """The copy cannot go where it was typed: said in words naming the path."""


def dest_text(dest: str) -> tuple[str, bool]:
    """The place typed without its trailing slashes (`/` stays), and whether it had one."""
    stripped = dest.rstrip("/") or "/"
    return stripped, stripped != dest and dest != "/"


def paths_asked(dest: str, name: str) -> tuple[str, str, str]:
    """The three paths whose kind the pod is asked: the folder holding dest, dest, dest/name."""
    path, _ = dest_text(dest)
    return posixpath.dirname(path) or ".", path, posixpath.join(path, name)


def copy_target(dest: str, name: str, folder: bool, around: Around) -> CopyTarget:
    """Where copying the local `name` (a folder when `folder`) to `dest` puts it; TargetRefused when it cannot."""
    path, slash = dest_text(dest)
    what = f"the folder {name}" if folder else f"the file {name}"
    kind = around.dest.kind
    if around.dest.is_link:
        raise TargetRefused(_link(path, around.dest, "copy to where it points instead, or remove the link"))
    if kind is PodKind.FOLDER:
        inside = posixpath.join(path, name)
        if around.inside.is_link:
            raise TargetRefused(_link(inside, around.inside, "remove the link, or copy somewhere else"))
        if around.inside.kind is PodKind.FOLDER and not folder:
            raise TargetRefused(f"{inside} is a folder in the pod: a file cannot replace it")
        if around.inside.kind is PodKind.FILE and folder:
            raise TargetRefused(f"{inside} is a file in the pod: a folder cannot replace it")
        return CopyTarget(inside, f"{path} is a folder in the pod, so {what} goes into it", around.inside.kind)
    if kind is PodKind.FILE:
        if folder:
            raise TargetRefused(f"{path} is a file in the pod: a folder cannot be copied over it")
        if slash:
            raise TargetRefused(f"{path} is a file in the pod, not a folder (drop the trailing /)")
        return CopyTarget(path, f"{path} is a file in the pod: it is replaced by {name}", PodKind.FILE)
    if around.parent.is_link:
        raise TargetRefused(_link(posixpath.dirname(path), around.parent, "copy into the folder it points to"))
    if around.parent.kind is PodKind.FILE:
        raise TargetRefused(f"{posixpath.dirname(path)} is a file in the pod, not a folder")
    if folder:
        why = f"{path} is not in the pod yet: it is made, holding what {name} holds (no {posixpath.join(path, name)})"
        return CopyTarget(path, why, PodKind.MISSING)
    if slash:
        inside = posixpath.join(path, name)
        why = f"{path}/ is not in the pod yet: it is made a folder, with {name} in it (docker cp would refuse)"
        return CopyTarget(inside, why, PodKind.MISSING)
    return CopyTarget(path, f"{path} is not in the pod yet: {what} is copied under that name", PodKind.MISSING)


def _link(path: str, entry: PodEntry, advice: str) -> str:
    to = f" to {entry.to}" if entry.to else ""
    if entry.kind is PodKind.DANGLING:
        return f"{path} is a link{to}, which does not exist: refused (remove the link first)"
    return f"{path} is a link{to}: refused ({advice})"
