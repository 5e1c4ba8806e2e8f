"""A tar archive of local files produced piece by piece while it is uploaded, with byte progress.

Build contexts and code folders can be large: nothing is staged in a temporary file (docker-py's `tar()` does),
and the total is known up front so a progress bar can show a fraction.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import tarfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tui.models.images.image import CopyProgress

CHUNK_BYTES = 1 << 20
BLOCK = tarfile.BLOCKSIZE
END_OF_ARCHIVE = b"\0" * (2 * BLOCK)

ProgressCallback = Callable[[CopyProgress], None]

# A plain ustar header (name, mode, size, mtime, type, link; owner 0, no names): what tarfile writes for a member
# that needs no pax header, made with one struct.pack instead of tarfile's field-by-field checks (a good share of a
# many-file copy-in's client time went there).
_USTAR = struct.Struct("100s8s8s8s12s12s8sc100s8s32s32s8s8s155s12x")
_USTAR_LIMIT = 8**11  # sizes and times that fit 11 octal digits
_ZERO = b"0000000\0"


def ustar_header(info: tarfile.TarInfo) -> bytes | None:
    """The header tarfile would write for info in PAX_FORMAT when that needs no pax record; else None."""
    folder = info.type == tarfile.DIRTYPE
    try:
        name = (info.name + "/" if folder and not info.name.endswith("/") else info.name).encode("ascii")
        link = info.linkname.encode("ascii")
    except UnicodeEncodeError:
        return None
    if len(name) > 100 or len(link) > 100 or not 0 <= info.size < _USTAR_LIMIT or not 0 <= info.mtime < _USTAR_LIMIT:
        return None
    if info.uid or info.gid or info.uname or info.gname or info.devmajor or info.devminor:
        return None
    fields = [
        name, b"%07o\0" % (info.mode & 0o7777), _ZERO, _ZERO, b"%011o\0" % info.size, b"%011o\0" % int(info.mtime),
        b" " * 8, info.type, link, tarfile.POSIX_MAGIC, b"", b"", b"", b"", b"",
    ]  # fmt: skip
    header = bytearray(_USTAR.pack(*fields))
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def _padding(size: int) -> int:
    return -size % BLOCK


class TarStream:
    """Files under `root` (relative paths; "." is root itself) as a tar whose names start with `prefix`."""

    def __init__(
        self,
        root: Path,
        paths: Iterable[str],
        prefix: str = "",
        extra_files: dict[str, bytes] | None = None,
        on_progress: ProgressCallback | None = None,
        hash_files: bool = False,
    ) -> None:
        self._root = os.fspath(root)  # str paths: a Path per file was a good share of a many-file copy's client time
        self._on_progress = on_progress
        self._hash_files = hash_files
        self.digests: dict[str, str] = {}  # with hash_files: sha256 of each regular file as sent, while streaming
        self.files_sent = 0
        self.current = ""
        self._members: list[tuple[tarfile.TarInfo, bytes, str | bytes | None]] = []
        for path in paths:
            info = self._tarinfo(path, prefix)
            if info is not None:
                content = os.path.join(self._root, path) if info.isreg() else None
                self._members.append((info, self._header(info), content))
        for name, data in (extra_files or {}).items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            self._members.append((info, self._header(info), data))
        self.total_bytes = len(END_OF_ARCHIVE) + sum(
            len(header) + info.size + _padding(info.size) for info, header, _ in self._members
        )

    def _tarinfo(self, path: str, prefix: str) -> tarfile.TarInfo | None:
        """The header of one path, owned by root as `docker cp` does; None for sockets, pipes, devices, files
        deleted since they were listed, and the root itself when it would land on the archive's root."""
        name = "/".join(part for part in (prefix.strip("/"), path.strip("/")) if part not in ("", "."))
        if not name:
            return None
        full = os.path.join(self._root, path)
        try:
            status = os.lstat(full)
        except FileNotFoundError:
            return None
        info = tarfile.TarInfo(name)
        info.mode, info.mtime = stat.S_IMODE(status.st_mode), int(status.st_mtime)
        if stat.S_ISREG(status.st_mode):
            info.size = status.st_size
        elif stat.S_ISDIR(status.st_mode):
            info.type = tarfile.DIRTYPE
        elif stat.S_ISLNK(status.st_mode):
            info.type, info.linkname = tarfile.SYMTYPE, os.readlink(full)
        else:
            return None
        return info

    @staticmethod
    def _header(info: tarfile.TarInfo) -> bytes:
        return ustar_header(info) or info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")

    def largest_file(self) -> tarfile.TarInfo | None:
        """The largest regular file in the archive (its header), if any."""
        files = [info for info, _, _ in self._members if info.isreg()]
        return max(files, key=lambda info: info.size) if files else None

    def __iter__(self) -> Iterator[bytes]:
        """Chunks of about CHUNK_BYTES (small files are batched: one socket write per file would be slow); a
        large file's pieces pass as they were read (no copy into the batch)."""
        pending = bytearray()
        sent = 0
        for done, (info, header, content) in enumerate(self._members):
            pending += header
            for piece in self._content(info, content):
                if len(piece) >= CHUNK_BYTES // 2:
                    if pending:
                        sent += len(pending)
                        yield bytes(pending)
                        pending.clear()
                    sent += len(piece)
                    yield piece
                    self._report(sent, info.name, done)
                    continue
                pending += piece
                if len(pending) >= CHUNK_BYTES:
                    sent += len(pending)
                    yield bytes(pending)
                    pending.clear()
                    self._report(sent, info.name, done)
            pending += b"\0" * _padding(info.size)
        pending += END_OF_ARCHIVE
        yield bytes(pending)
        self._report(self.total_bytes, "", len(self._members))

    def _content(self, info: tarfile.TarInfo, content: str | bytes | None) -> Iterator[bytes]:
        """Exactly info.size bytes: a file that shrank since it was listed is padded, one that grew is cut."""
        if content is None:
            return
        self.current = info.name
        digest = hashlib.sha256() if self._hash_files else None
        if isinstance(content, bytes):
            pieces: Iterator[bytes] = iter((content,))
        else:
            pieces = self._read(content, info.size)
        for piece in pieces:
            if digest is not None:
                digest.update(piece)
            yield piece
        if digest is not None:
            self.digests[info.name] = digest.hexdigest()
        self.files_sent += 1

    @staticmethod
    def _read(path: str, size: int) -> Iterator[bytes]:
        remaining = size
        with open(path, "rb", buffering=0) as source:
            while remaining > 0:
                piece = source.read(min(CHUNK_BYTES, remaining)) or b"\0" * remaining
                remaining -= len(piece)
                yield piece

    def _report(self, sent: int, path: str, files_sent: int) -> None:
        if self._on_progress is not None:
            self._on_progress(CopyProgress(sent, self.total_bytes, path, files_sent, len(self._members)))


def folder_paths(root: Path) -> list[str]:
    """Every path under root, root itself first as ".", without following symlinked folders."""
    paths = ["."]
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        relative = Path(folder).relative_to(root)
        paths.extend(str(relative / name) for name in sorted(dirnames + filenames))
    return paths
