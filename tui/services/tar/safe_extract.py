"""Extract a tar stream without ever writing outside the destination (cf. CVE-2019-1002101 in `kubectl cp`).

Refused, and reported: absolute names, names with `..`, symlinks and hard links whose target leaves the
destination, and anything but files, directories and links. Every file's sha256 is computed while it is written.

A small file (one CHUNK at most) is written whole under its own name: creating a file is most of what a small file
costs, and a cut can leave only the one being written, which a resumed pull checks by sha256 like every other. A
large file is written under its name plus PART_SUFFIX and renamed when its last byte is in, so a resumed pull knows
where to continue it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.services.tar.members import Member, Readable, TarMembers

CHUNK = 1 << 20
PART_SUFFIX = ".k8sx-part"


@dataclass
class Extracted:
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    sizes: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "name: why"
    bytes_written: int = 0


def _outside(name: str, normal: str) -> bool:
    return posixpath.isabs(name) or normal == ".." or normal.startswith("../")


def extract(
    stream: Readable,
    destination: Path,
    on_file: Callable[[Extracted, str], None] | None = None,
    concatenated: bool = False,
) -> Extracted:
    """Read a tar from `stream` (as it arrives: no seeking) into `destination`, which must exist.
    concatenated: several archives one after the other (what `xargs tar cf -` sends when it runs tar twice).
    Paths are plain strings here: a Path object per file was a good share of a many-file pull's client CPU."""
    result = Extracted()
    root = str(destination.resolve())
    folders = _Folders(root)
    links: list[tuple[str, str]] = []
    archive = TarMembers(stream, concatenated)
    for member in archive:
        name = member.name
        relative = posixpath.normpath(name)
        if _outside(name, relative):
            result.refused.append(f"{name}: outside the destination")
            continue
        target = root if relative == "." else f"{root}/{relative}"
        if member.kind == "dir":
            if not folders.ensure(target):
                result.refused.append(f"{name}: its folder is a link")
        elif member.kind == "file":
            if not folders.ensure(posixpath.dirname(target)):
                result.refused.append(f"{name}: its folder is a link")
                continue
            result.files[relative] = _write(archive, member, target, result)
            result.sizes[relative] = member.size
            if on_file is not None:
                on_file(result, relative)
        elif member.kind == "symlink":
            link = member.linkname
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(relative), link))
            if posixpath.isabs(link) or _outside(resolved, resolved):
                result.refused.append(f"{name}: symlink to {link} leaves the destination")
                continue
            if not folders.ensure(posixpath.dirname(target)):
                result.refused.append(f"{name}: its folder is a link")
                continue
            os.symlink(link, target)
            links.append((name, link))
        elif member.kind == "hardlink":
            link = posixpath.normpath(member.linkname)
            if _outside(member.linkname, link) or link not in result.files:
                result.refused.append(f"{name}: hard link to {member.linkname} leaves the destination")
                continue
            if not folders.ensure(posixpath.dirname(target)):
                result.refused.append(f"{name}: its folder is a link")
                continue
            os.link(f"{root}/{link}", target)
            result.files[relative] = result.files[link]
            result.sizes[relative] = result.sizes[link]
        else:
            result.refused.append(f"{name}: not a file, folder or link")
    _drop_links_leaving(Path(root), links, result)
    return result


def _drop_links_leaving(root: Path, links: list[tuple[str, str]], result: Extracted) -> None:
    """Links that each look inside can point outside together (`s -> ../..` then `x -> s/../f`), whatever their
    order: once all are there, one that really resolves outside is removed and reported."""
    for name, link in links:
        path = root / posixpath.normpath(name)
        if not path.is_symlink():
            continue  # replaced by a later member of the same name
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            path.unlink()
            result.refused.append(f"{name}: symlink to {link} leaves the destination")


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
        os.replace(target + PART_SUFFIX, target)
    return digest.hexdigest()


def _create(path: str, mode: int) -> int:
    """A new file, never opened through a link planted under its name (an archive can hold `x -> /etc/x` then `x`):
    O_EXCL refuses any existing name, links included, and what is there is removed (a later member replaces it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, flags, 0o600)
    os.fchmod(fd, mode)  # the archive's mode, not the umask's
    return fd


class _Folders:
    """Folders known to be real (made here, or checked once), so a file costs no walk up its parents: a planted
    link must never redirect a file, and a folder once real cannot become a link (os.symlink refuses to replace)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.real = {root}

    def ensure(self, folder: str) -> bool:
        """Make folder (and its parents) unless one of them is a link; False when one is."""
        if folder in self.real:
            return True
        if not _on_real_folders(self.root, folder):
            return False
        os.makedirs(folder, exist_ok=True)
        while folder != self.root and folder not in self.real:
            self.real.add(folder)
            folder = posixpath.dirname(folder)
        return True


def _on_real_folders(root: str, folder: str) -> bool:
    """No folder from root down to `folder` is a symlink (a link planted earlier must not redirect a file)."""
    current = folder
    while current != root and current.startswith(root + "/"):
        if os.path.islink(current):
            return False
        current = posixpath.dirname(current)
    return True
