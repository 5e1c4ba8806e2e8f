"""What a cut pull left behind, and what a resumed pull still has to fetch.

A pull writes into a hidden folder beside its destination whose name comes from the source (namespace, pod, path),
so the next pull of the same source to the same destination finds it. Files in it are under their own names (small
ones written whole; the last one perhaps cut) or, for large ones cut while being written, end in PART_SUFFIX. On
resume, a file is kept only when its sha256 equals the pod's; a part file continues from its size when the pod's
file is larger; everything else is fetched again. Nothing here talks to the cluster: the pod's listing comes in as text.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.services.tar.safe_extract import CHUNK, PART_SUFFIX

if TYPE_CHECKING:
    from hashlib import _Hash as Hash

# The fastest sha256 the pod has: openssl uses the CPU's SHA instructions (far less CPU time than sha256sum,
# which matters when the pod's CPU is the bottleneck), else coreutils' or busybox's sha256sum; none: $hasher empty.
# $nl is a newline: a name with one cannot be told apart in a hasher's lines (openssl does not escape it), so such
# files are left out of the lists of sums (checked by size) and a resume's listing refuses them (it starts over).
HASHER_CHOICE = """
nl='
'
hasher=""
if command -v openssl >/dev/null 2>&1 && echo | openssl dgst -sha256 -r >/dev/null 2>&1; then
  hasher="openssl dgst -sha256 -r"
elif command -v sha256sum >/dev/null 2>&1; then
  hasher=sha256sum
fi
"""
# $2 under the folder $1 in the pod, with $hasher chosen: the sha256 and the size of every file, then the links and
# empty folders (tar must send those too, they hold no bytes). Sections are separated by lines only this prints.
LISTING = (
    '[ -n "$hasher" ] || exit 1; cd "$1" || exit 1; [ -z "$(find "$2" -path "*$nl*")" ] || exit 1; '
    'find "$2" -type f -exec $hasher {} + || exit 1; echo "//sizes"; '
    'find "$2" -type f -exec stat -c "%s %n" {} +; echo "//others"; find "$2" -type l; find "$2" -type d -empty'
)
LISTING_SCRIPT = HASHER_CHOICE + LISTING  # one exec of its own


_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def partial_folder(destination: Path, source: str) -> Path:
    """The hidden folder a pull of `source` (e.g. "ns/pod:/persistent/out") into destination writes into."""
    key = hashlib.sha256(source.encode()).hexdigest()[:10]
    return destination.parent / f".{destination.name}.k8sx-partial-{key}"


@dataclass(frozen=True)
class ResumeOffer:
    folder: Path
    files: int  # complete files already there (verified against the pod when resuming)
    bytes: int  # bytes on disk, part files included


def resume_offer(destination: Path, source: str) -> ResumeOffer | None:
    """What a cut pull of the same source to the same destination left, if anything worth resuming."""
    folder = partial_folder(destination.expanduser().absolute(), source)
    if not folder.is_dir():
        return None
    files = size = 0
    for path in _regular_files(folder):
        size += path.stat().st_size
        files += not path.name.endswith(PART_SUFFIX)
    return ResumeOffer(folder, files, size) if size or files else None


@dataclass
class RemoteListing:
    digests: dict[str, str] = field(default_factory=dict)  # path (relative to the parent folder) -> sha256
    sizes: dict[str, int] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)  # symlinks and empty folders


def parse_listing(text: str) -> RemoteListing:
    listing = RemoteListing()
    section = "digests"
    for line in text.splitlines():
        if line in ("//sizes", "//others"):
            section = line[2:]
            continue
        if section == "digests":
            if found := _SUM_LINE.match(line):  # sha256sum's "HEX  name", openssl's "HEX *name"
                listing.digests[posixpath.normpath(found.group(2))] = found.group(1)
        elif section == "sizes":
            size, _, path = line.partition(" ")
            if path and size.isdigit():
                listing.sizes[posixpath.normpath(path)] = int(size)
        elif line:
            listing.others.append(posixpath.normpath(line))
    return listing


@dataclass
class ResumePlan:
    kept: dict[str, str] = field(default_factory=dict)  # complete and equal to the pod's: path -> sha256
    kept_bytes: int = 0
    continued: dict[str, int] = field(default_factory=dict)  # path -> bytes already in its part file
    needed: list[str] = field(default_factory=list)  # to fetch whole: files, links, empty folders

    def remaining(self, listing: RemoteListing) -> int:
        """Bytes still to come: the needed files whole, the continued ones from their offset."""
        whole = sum(listing.sizes.get(path, 0) for path in self.needed)
        return whole + sum(listing.sizes.get(path, 0) - offset for path, offset in self.continued.items())


def plan_resume(staging: Path, listing: RemoteListing) -> ResumePlan:
    """Sort what is in staging into kept / continued; delete what cannot be trusted; list what must come again."""
    plan = ResumePlan()
    for path in _entries(staging):
        relative = path.relative_to(staging).as_posix()
        if path.is_symlink():
            path.unlink()  # links are cheap: sent again
        elif relative.endswith(PART_SUFFIX):
            real = relative.removesuffix(PART_SUFFIX)
            offset = path.stat().st_size
            if 0 < offset < listing.sizes.get(real, 0) and real in listing.digests:
                plan.continued[real] = offset
            else:
                path.unlink()
        elif listing.digests.get(relative) is not None and listing.digests[relative] == file_sha256(path):
            plan.kept[relative] = listing.digests[relative]
            plan.kept_bytes += path.stat().st_size
        else:
            path.unlink()
    plan.needed = [p for p in listing.digests if p not in plan.kept and p not in plan.continued]
    plan.needed += listing.others
    return plan


def sha256_of(path: Path) -> Hash:
    """A sha256 fed with the file's bytes so far (a part file's hash is continued with what follows)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest


def file_sha256(path: Path) -> str:
    return sha256_of(path).hexdigest()


def _entries(folder: Path) -> list[Path]:
    """Files and links under folder (not following linked folders)."""
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(folder):
        base = Path(current)
        found.extend(base / name for name in filenames)
        found.extend(base / name for name in dirnames if (base / name).is_symlink())
    return found


def _regular_files(folder: Path) -> list[Path]:
    return [path for path in _entries(folder) if not path.is_symlink()]
