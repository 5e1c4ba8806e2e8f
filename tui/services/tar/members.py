"""The members of a tar stream as it arrives: names, kinds, sizes and their bytes, without seeking.

tarfile's stream mode builds a TarInfo per header through a dozen field parsers and copies every byte through a
buffer of its own: for 10,000 small results files that was most of a pull's client CPU. This reads what the
archives `tar cf` writes (ustar, GNU: long names and links in 'L'/'K' entries, base-256 sizes; POSIX pax: path,
linkpath and size records) and says the kind of anything else ("other": devices, fifos, GNU sparse files), whose
bytes it skips. Names are decoded as tarfile does (UTF-8, undecodable bytes kept as surrogates).
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
POSIX_MAGIC = b"ustar\x0000"
FILE_TYPES = (b"0", b"\0", b"7")
KINDS = {b"5": "dir", b"2": "symlink", b"1": "hardlink"}


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def read1(self, size: int = -1, /) -> bytes | memoryview: ...


@dataclass(frozen=True)
class Member:
    name: str
    kind: str  # "file", "dir", "symlink", "hardlink" or "other"
    size: int  # bytes of data that follow the header
    mode: int
    linkname: str


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _number(raw: bytes) -> int:
    if raw[0] & 0x80:  # GNU base-256, for sizes past 8 GiB
        if raw[0] != 0x80:
            raise tarfile.ReadError("a negative number in a tar header")
        return int.from_bytes(raw[1:], "big")
    digits = raw.split(b"\0", 1)[0].strip(b" ")
    try:
        return int(digits or b"0", 8)
    except ValueError:
        raise tarfile.ReadError(f"not a number in a tar header: {raw!r}") from None


def _pax_records(data: bytes) -> dict[str, str]:
    """`LENGTH KEY=VALUE\\n` records (LENGTH counts the whole record)."""
    records: dict[str, str] = {}
    at = 0
    while at < len(data) and data[at : at + 1] != b"\0":
        space = data.find(b" ", at)
        if space < 0 or not data[at:space].isdigit():
            raise tarfile.ReadError("a broken pax header")
        length = int(data[at:space])
        record = data[space + 1 : at + length - 1]  # without the newline
        key, equals, value = record.partition(b"=")
        if not equals or length <= 0:
            raise tarfile.ReadError("a broken pax header")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        at += length
    return records


class TarMembers:
    """Iterate with `for member in TarMembers(stream)`; a file's bytes come from `data(member)` (what is not read
    is skipped on the next step). concatenated: several archives one after another (zero blocks are skipped)."""

    def __init__(self, stream: Readable, concatenated: bool = False) -> None:
        self._stream = stream
        self._concatenated = concatenated
        self._unread = 0  # data (and padding) of the last member still in the stream

    def _exactly(self, size: int) -> bytes:
        data = self._stream.read(size)
        while len(data) < size:
            more = self._stream.read(size - len(data))
            if not more:
                raise tarfile.ReadError("unexpected end of data")
            data += more
        return data

    def _skip(self, size: int) -> None:
        while size > 0:
            size -= len(self._exactly(min(size, 1 << 20)))

    def _padded(self, size: int) -> int:
        return size + (-size % BLOCK)

    def data(self, member: Member, chunk: int = 1 << 20) -> Iterator[bytes | memoryview]:
        """The member's bytes in pieces of at most `chunk`, as the stream has them (read1: no joining, no copy);
        the padding after them is skipped."""
        remaining = member.size
        while remaining > 0:
            piece = self._stream.read1(min(chunk, remaining))
            if not piece:
                raise tarfile.ReadError("unexpected end of data")
            remaining -= len(piece)
            self._unread -= len(piece)
            yield piece
        self._skip(self._unread)
        self._unread = 0

    def __iter__(self) -> Iterator[Member]:
        first = True
        long_name = long_link = None
        pax: dict[str, str] = {}
        while True:
            self._skip(self._unread)
            self._unread = 0
            block = self._stream.read(BLOCK)
            if not block:
                if first:
                    raise tarfile.ReadError("empty file")
                if self._concatenated:
                    return
                raise tarfile.ReadError("unexpected end of data")  # no end-of-archive block: a cut stream
            if len(block) < BLOCK:
                block += self._exactly(BLOCK - len(block))
            first = False
            if block == ZERO_BLOCK:
                if self._concatenated:
                    continue  # the next archive, or the end
                return
            checksum = _number(block[148:156])
            unsigned = sum(block) - sum(block[148:156]) + 256
            if checksum != unsigned:
                signed = unsigned - 2 * sum(b for b in block if b > 127)  # old tars summed signed bytes
                if checksum != signed:
                    raise tarfile.ReadError("a tar header with a bad checksum")
            kind_flag = block[156:157]
            size = _number(block[124:136])
            if kind_flag in (b"L", b"K", b"x", b"g"):
                data = self._exactly(self._padded(size))[:size]
                if kind_flag == b"L":
                    long_name = _text(data)
                elif kind_flag == b"K":
                    long_link = _text(data)
                elif kind_flag == b"x":
                    pax.update(_pax_records(data))
                continue  # a global header ('g') changes nothing this reads
            name = _text(block[0:100])
            if block[257:265] == POSIX_MAGIC and block[345] != 0:
                name = f"{_text(block[345:500])}/{name}"
            name = pax.get("path", long_name or name)
            linkname = pax.get("linkpath", long_link or _text(block[157:257]))
            if "size" in pax:
                if not (pax["size"].isascii() and pax["size"].isdigit()):
                    raise tarfile.ReadError("a broken pax header")
                size = int(pax["size"])
            long_name = long_link = None
            pax = {}
            if kind_flag in FILE_TYPES:
                kind = "dir" if kind_flag == b"\0" and name.endswith("/") else "file"
            else:
                kind = KINDS.get(kind_flag, "other")
            if kind == "dir":
                name = name.rstrip("/")
            self._unread = self._padded(size)
            yield Member(name, kind, size, _number(block[100:108]), linkname)
