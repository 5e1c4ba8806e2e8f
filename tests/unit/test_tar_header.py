"""The hand-made ustar header is byte for byte what tarfile writes, and gives way to tarfile where pax is needed."""

from __future__ import annotations

import io
import random
import tarfile

import pytest

from tui.services.tar.stream import ustar_header


def member(
    name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644
) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname, info.mode, info.mtime = size, kind, link, mode, 1_764_633_600
    return info


def test_every_plain_member_gets_the_header_tarfile_would_write() -> None:
    rng = random.Random(7)
    infos = [
        member("a"), member("x" * 100), member("d/e/f.bin", 123_456_789),
        member("dir", kind=tarfile.DIRTYPE, mode=0o755), member("dir2/", 4096, kind=tarfile.DIRTYPE),
        member("link", kind=tarfile.SYMTYPE, link="../target/" + "t" * 80), member("exec.sh", 5, mode=0o4755),
        member("max", 8**11 - 1),
    ]  # fmt: skip
    for _ in range(200):
        name = "/".join("".join(rng.choice("abz09._- ") for _ in range(rng.randint(1, 30))) for _ in range(3))[:100]
        infos.append(member(name, rng.randint(0, 8**11 - 1), mode=rng.randint(0, 0o7777)))
    for info in infos:
        assert ustar_header(info) == info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"), info.name


@pytest.mark.parametrize(
    "info",
    [member("é.txt"), member("y" * 101), member("huge", 8**11), member("l", kind=tarfile.SYMTYPE, link="z" * 101)],
    ids=["non-ascii name", "long name", "8 GiB or more", "long link"],
)
def test_a_member_that_needs_a_pax_record_is_left_to_tarfile(info: tarfile.TarInfo) -> None:
    assert ustar_header(info) is None


def test_an_archive_of_hand_made_headers_reads_back_with_tarfile() -> None:
    data = b"hello\n"
    archive = ustar_header(member("d/hello.txt", len(data))) or b""
    archive += data + b"\0" * (512 - len(data)) + b"\0" * 1024
    with tarfile.open(fileobj=io.BytesIO(archive)) as reader:
        (found,) = reader.getmembers()
        assert (found.name, found.size, found.mode) == ("d/hello.txt", 6, 0o644)
        extracted = reader.extractfile(found)
        assert extracted is not None and extracted.read() == data
