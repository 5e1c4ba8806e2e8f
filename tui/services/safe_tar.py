"""Extract a tar stream without ever writing outside the destination (cf. CVE-2019-1002101 in `kubectl cp`).

Refused, and reported: absolute names, names with `..`, symlinks and hard links whose target leaves the
destination, and anything but files, directories and links. Every file's sha256 is computed while it is written.
A file is written under its name plus PART_SUFFIX and renamed when its last byte is in, so a cut stream never
leaves a partial file under its real name (and a resumed pull knows where to continue).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol, cast

CHUNK = 1 << 20
PART_SUFFIX = ".k8sx-part"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass
class Extracted:
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    sizes: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "name: why"
    bytes_written: int = 0


def _inside(relative: str) -> bool:
    normal = posixpath.normpath(relative)
    return not (posixpath.isabs(relative) or normal == ".." or normal.startswith("../"))


def extract(
    stream: Readable,
    destination: Path,
    on_file: Callable[[Extracted, str], None] | None = None,
    concatenated: bool = False,
) -> Extracted:
    """Read a tar from `stream` (as it arrives: no seeking) into `destination`, which must exist.
    concatenated: several archives one after the other (what `xargs tar cf -` sends when it runs tar twice)."""
    result = Extracted()
    root = destination.resolve()
    with tarfile.open(fileobj=cast(IO[bytes], stream), mode="r|", ignore_zeros=concatenated) as archive:
        for member in archive:
            name = member.name
            if not _inside(name):
                result.refused.append(f"{name}: outside the destination")
                continue
            target = root / posixpath.normpath(name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                if not _parent_is_real(root, target):
                    result.refused.append(f"{name}: its folder is a link")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                digest = hashlib.sha256()
                part = target.with_name(target.name + PART_SUFFIX)
                with open(part, "wb") as out:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        result.bytes_written += len(chunk)
                os.chmod(part, member.mode & 0o777 | 0o600)
                os.replace(part, target)
                relative = posixpath.normpath(name)
                result.files[relative] = digest.hexdigest()
                result.sizes[relative] = member.size
                if on_file is not None:
                    on_file(result, relative)
            elif member.issym():
                link = member.linkname
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(posixpath.normpath(name)), link))
                if posixpath.isabs(link) or not _inside(resolved):
                    result.refused.append(f"{name}: symlink to {link} leaves the destination")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(link, target)
            elif member.islnk():
                link = posixpath.normpath(member.linkname)
                if not _inside(link) or link not in result.files:
                    result.refused.append(f"{name}: hard link to {member.linkname} leaves the destination")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(root / link, target)
                result.files[posixpath.normpath(name)] = result.files[link]
                result.sizes[posixpath.normpath(name)] = result.sizes[link]
            else:
                result.refused.append(f"{name}: not a file, folder or link")
    return result


def _parent_is_real(root: Path, target: Path) -> bool:
    """No folder on the way from root to target is a symlink (a link planted earlier must not redirect a file)."""
    current = target.parent
    while current != root and root in current.parents:
        if current.is_symlink():
            return False
        current = current.parent
    return True
