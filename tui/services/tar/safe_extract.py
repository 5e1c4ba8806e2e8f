"""Extract a tar stream without ever writing outside the destination (cf. CVE-2019-1002101 in `kubectl cp`).

Refused, and reported: absolute names, names with `..`, anything outside the one path pulled (`top`), that path
itself as a link, symlinks whose target leaves the destination (judged as if the top already were the destination:
a pull renames it there), hard links to anything but a file already extracted, anything but files, folders and
links, and names this machine cannot hold (too long, nested too deep, invalid). Every file's sha256 is computed
while it is written.

A small file (one CHUNK at most) is written whole under its own name: creating a file is most of what a small file
costs, and a cut can leave only the one being written, which a resumed pull checks by sha256 like every other. A
large file is written under its name plus PART_SUFFIX and renamed when its last byte is in, so a resume knows where
to continue it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.models.transfer.names import shown
from tui.services.tar.beneath import stays_inside
from tui.services.tar.members import Member, Readable, TarMembers

CHUNK = 1 << 20
PART_SUFFIX = ".k8sx-part"
# Folders below the destination an entry may lie in: deeper trees are no results, and Python's own tree walkers
# (rmtree, os.walk, rglob) recurse once per level and stop near 1,000.
MAX_DEPTH = 256
# What an entry's own name or place can cause; anything else (a full disk, no permission) ends the extraction.
NAME_PROBLEMS = {
    errno.ENAMETOOLONG: "its name is too long for this file system",
    errno.EINVAL: "not a valid name here",
    errno.EILSEQ: "not a valid name here",
    errno.EEXIST: "clashes with an earlier entry",
    errno.EISDIR: "clashes with an earlier entry",
    errno.ENOTDIR: "clashes with an earlier entry",
    errno.ENOTEMPTY: "clashes with an earlier entry",
    errno.EMLINK: "too many links to one file",
}


@dataclass
class Extracted:
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    sizes: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "name: why", the name shown short and without controls
    refused_names: set[str] = field(default_factory=set)  # their relative paths, as in `files`
    bytes_written: int = 0

    def refuse(self, name: str, why: str) -> None:
        self.refused.append(f"{shown(name)}: {why}")
        self.refused_names.add(posixpath.normpath(name))


class _Refused(Exception):
    """Why one entry is not written; the extraction goes on."""


def _outside(name: str, normal: str) -> bool:
    return posixpath.isabs(name) or normal == ".." or normal.startswith("../")


def extract(
    stream: Readable,
    destination: Path,
    on_file: Callable[[Extracted, str], None] | None = None,
    concatenated: bool = False,
    top: str | None = None,
) -> Extracted:
    """Read a tar from `stream` (as it arrives: no seeking) into `destination`, which must exist.
    concatenated: several archives one after the other (what `xargs tar cf -` sends when it runs tar twice).
    top: the one path the archive holds (a pull's `out`, to become the destination): entries elsewhere are
    refused, and links are judged as if destination/top were the root. Paths are plain strings here: a Path object
    per file was a good share of a many-file pull's client CPU."""
    result = Extracted()
    root = str(destination.resolve())
    top = posixpath.normpath(top) if top else "."
    writer = _Writer(root, top, result)
    archive = TarMembers(stream, concatenated)
    for member in archive:
        try:
            relative = writer.place(member)
            if member.kind == "file":
                writer.file(archive, member, relative)
                if on_file is not None:
                    on_file(result, relative)
            else:
                writer.other(member, relative)
        except _Refused as why:
            result.refuse(member.name, str(why))
        except OSError as exc:
            if exc.errno not in NAME_PROBLEMS or exc.filename is None:  # no file named: the stream's, not a name's
                raise
            result.refuse(member.name, NAME_PROBLEMS[exc.errno])
    writer.drop_links_leaving()
    return result


class _Writer:
    """Writes one entry at a time below `root`; `base` (root/top) is what links may not leave."""

    def __init__(self, root: str, top: str, result: Extracted) -> None:
        self.root = root
        self.top = top
        self.base = root if top == "." else f"{root}/{top}"
        self.result = result
        self.folders = _Folders(root)
        self.links: list[tuple[str, str]] = []  # (name in the archive, path below base)

    def inner(self, relative: str) -> str:
        """The path below base ("" for base itself)."""
        if self.top == ".":
            return "" if relative == "." else relative
        return "" if relative == self.top else relative[len(self.top) + 1 :]

    def place(self, member: Member) -> str:
        """The entry's path relative to root, once its name may be written here at all."""
        name = member.name
        if "\0" in name or "\0" in member.linkname:
            raise _Refused("not a valid name here")
        relative = posixpath.normpath(name)
        if _outside(name, relative):
            raise _Refused("outside the destination")
        if self.top != "." and relative != self.top and not relative.startswith(self.top + "/"):
            raise _Refused(f"not inside {shown(self.top)}, the path pulled")
        depth = self.inner(relative).count("/")
        if depth > MAX_DEPTH:
            raise _Refused(f"nested {depth} folders deep (at most {MAX_DEPTH} here)")
        return relative

    def target(self, relative: str) -> str:
        inner = self.inner(relative)
        return f"{self.base}/{inner}" if inner else self.base

    def parent_ready(self, target: str) -> None:
        if not self.folders.ensure(posixpath.dirname(target)):
            raise _Refused("its folder is a link")

    def file(self, archive: TarMembers, member: Member, relative: str) -> None:
        target = self.target(relative)
        self.parent_ready(target)
        self.result.files[relative] = _write(archive, member, target, self.result)
        self.result.sizes[relative] = member.size

    def other(self, member: Member, relative: str) -> None:
        target = self.target(relative)
        if member.kind == "dir":
            if not self.folders.ensure(target):
                raise _Refused("its folder is a link")
        elif member.kind == "symlink":
            self.symlink(member, relative, target)
        elif member.kind == "hardlink":
            source = posixpath.normpath(member.linkname)
            if source == relative and source in self.result.files:
                return  # a link to itself: the file is there already
            if source not in self.result.files:
                raise _Refused(f"hard link to {shown(member.linkname)} leaves the destination")
            self.parent_ready(target)
            self._clear(target, relative)
            os.link(self.target(source), target)
            self.result.files[relative] = self.result.files[source]
            self.result.sizes[relative] = self.result.sizes[source]
        else:
            raise _Refused("not a file, folder or link")

    def symlink(self, member: Member, relative: str, target: str) -> None:
        link, inner = member.linkname, self.inner(relative)
        if not inner:
            raise _Refused(f"a link (to {shown(link)}) in place of the destination itself")
        if not stays_inside(self.base, posixpath.dirname(inner), link):
            raise _Refused(f"symlink to {shown(link)} leaves the destination")
        self.parent_ready(target)
        self._clear(target, relative)
        os.symlink(link, target)
        self.links.append((member.name, inner))

    def _clear(self, target: str, relative: str) -> None:
        """A later entry replaces an earlier file or link of its name (as tar does); never a folder, which other
        entries may already have been written into."""
        if os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                raise _Refused("clashes with an earlier entry")
            os.unlink(target)
            self.result.files.pop(relative, None)
            self.result.sizes.pop(relative, None)

    def drop_links_leaving(self) -> None:
        """Links that each stay inside can lead out together (`s -> ../..` then `x -> s/../f`), whatever their
        order: once all are there, one that leads out is removed and reported."""
        for name, inner in self.links:
            path = f"{self.base}/{inner}"
            if not os.path.islink(path):
                continue  # replaced by a later member of the same name
            link = os.readlink(path)
            if not stays_inside(self.base, posixpath.dirname(inner), link):
                os.unlink(path)
                self.result.refuse(name, f"symlink to {shown(link)} leaves the destination")


def _write(archive: TarMembers, member: Member, target: str, result: Extracted) -> str:
    """The member's bytes into target (a large file through its part file); their sha256."""
    digest = hashlib.sha256()
    mode = member.mode & 0o777 | 0o600
    whole = member.size <= CHUNK
    fd = _create(target if whole else target + PART_SUFFIX, mode)
    try:
        for chunk in archive.data(member, CHUNK):
            digest.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
            result.bytes_written += len(chunk)
    finally:
        os.close(fd)
    if not whole:
        try:
            os.replace(target + PART_SUFFIX, target)
        except OSError:
            os.unlink(target + PART_SUFFIX)  # a folder of that name came first: no part file left in the results
            raise
    return digest.hexdigest()


def _create(path: str, mode: int) -> int:
    """A new file, never opened through a link planted under its name (an archive can hold `x -> /etc/x` then `x`):
    O_EXCL refuses any existing name, links included, and what is there is removed (a later member replaces it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        os.unlink(path)  # a folder stays: EISDIR
        fd = os.open(path, flags, 0o600)
    os.fchmod(fd, mode)  # the archive's mode, not the umask's
    return fd


class _Folders:
    """Folders known to be real (made here, or checked once), so a file costs no walk up its parents: a planted
    link must never redirect a file, and a folder once real cannot become a link (links never replace folders)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.real = {root}

    def ensure(self, folder: str) -> bool:
        """Make folder (and its parents) unless one of them is a link; False when one is. One level at a time:
        os.makedirs recurses once per missing parent."""
        if folder in self.real:
            return True
        if not _on_real_folders(self.root, folder):
            return False
        missing = []
        while folder not in self.real and not os.path.isdir(folder):
            missing.append(folder)
            folder = posixpath.dirname(folder)
        for path in reversed(missing):
            os.mkdir(path)
        while folder != self.root and folder not in self.real:
            self.real.add(folder)
            folder = posixpath.dirname(folder)
        self.real.update(missing)
        return True


def _on_real_folders(root: str, folder: str) -> bool:
    """No folder from root down to `folder` is a symlink (a link planted earlier must not redirect a file)."""
    current = folder
    while current != root and current.startswith(root + "/"):
        if os.path.islink(current):
            return False
        current = posixpath.dirname(current)
    return True
