"""The stream tar reader against tarfile's own reading, on archives in every format tar writes."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tui.services.tar.members import TarMembers

LONG = "deep/" + "d" * 120 + "/" + "n" * 150 + ".bin"


def sample(fmt: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:

        def add(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.size, info.linkname, info.mode = kind, len(data), link, mode
            archive.addfile(info, io.BytesIO(data) if data else None)

        add("out", kind=tarfile.DIRTYPE, mode=0o755)
        add("out/empty.txt")
        add("out/block.bin", b"x" * 512)
        add("out/model.bin", bytes(range(256)) * 4099, mode=0o755)
        add("out/" + LONG, b"long name")
        add("out/ünïcode ß.txt", "naïve".encode())
        add("out/link", kind=tarfile.SYMTYPE, link="model.bin")
        add("out/hard", kind=tarfile.LNKTYPE, link="out/model.bin")
        add("out/long-link", kind=tarfile.SYMTYPE, link=LONG)
        add("out/fifo", kind=tarfile.FIFOTYPE)
    return buffer.getvalue()


def theirs(data: bytes) -> list[tuple[str, str, int, int, str, bytes]]:
    kinds = {tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink"}
    found = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            kind = "file" if info.isfile() else kinds.get(info.type, "other")
            body = archive.extractfile(info).read() if info.isfile() else b""  # type: ignore[union-attr]
            found.append((info.name, kind, info.size if kind == "file" else 0, info.mode, info.linkname, body))
    return found


def ours(data: bytes, concatenated: bool = False) -> list[tuple[str, str, int, int, str, bytes]]:
    reader = TarMembers(io.BytesIO(data), concatenated)
    found = []
    for member in reader:
        body = b"".join(reader.data(member, chunk=1000)) if member.kind == "file" else b""
        found.append((member.name, member.kind, member.size if member.kind == "file" else 0, member.mode,
                      member.linkname, body))  # fmt: skip
    return found


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT], ids=["gnu", "pax"])
def test_every_member_reads_as_tarfile_reads_it(fmt: int) -> None:
    data = sample(fmt)
    assert ours(data) == theirs(data)


def test_ustar_names_with_a_prefix_are_joined() -> None:
    buffer = io.BytesIO()
    name = "p" * 90 + "/" + "q" * 60 + "/file.txt"  # over 100 characters: ustar's prefix field holds the folders
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo(name)
        info.size = 3
        archive.addfile(info, io.BytesIO(b"abc"))
    assert ours(buffer.getvalue()) == [(name, "file", 3, 0o644, "", b"abc")]


@pytest.mark.parametrize("program", [["tar"], ["busybox", "tar"]], ids=["gnu-tar", "busybox-tar"])
def test_what_the_tar_programs_of_pods_write_reads_as_tarfile_reads_it(program: list[str], tmp_path: Path) -> None:
    if not shutil.which(program[0]):
        pytest.fail(f"{program[0]} is needed for this test (the stack installs busybox-static)")
    root = tmp_path / "out"
    (root / "d").mkdir(parents=True)
    (root / ("x" * 140)).mkdir()
    (root / ("x" * 140) / ("y" * 120 + ".txt")).write_text("long")
    (root / "d" / "a.txt").write_text("a")
    (root / "big.bin").write_bytes(bytes(range(256)) * 5000)
    (root / "link").symlink_to("big.bin")
    data = subprocess.run([*program, "cf", "-", "-C", str(tmp_path), "out"], capture_output=True, check=True).stdout
    assert ours(data) == theirs(data)


def test_concatenated_archives_are_read_one_after_another_and_a_cut_stream_is_an_error() -> None:
    one, two = sample(tarfile.GNU_FORMAT), sample(tarfile.PAX_FORMAT)
    assert ours(one + two, concatenated=True) == theirs(one) + theirs(two)
    headers_only = one[: 3 * 512]  # a cut after the first members: no end-of-archive block
    with pytest.raises(tarfile.ReadError):
        ours(headers_only)
    with pytest.raises(tarfile.ReadError, match="empty file"):
        ours(b"")
    broken = bytearray(one)
    broken[150] ^= 0x01  # the first header's checksum
    with pytest.raises(tarfile.ReadError, match="checksum"):
        ours(bytes(broken))
