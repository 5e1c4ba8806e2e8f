"""After tar, a copy-in's files are hashed in the pod by two hashers at once, each taking one half of the names (an
even digit last, before any extension, or not): every file is still listed once, with its own sha256, and a file
that differs is still named, with GNU tools and with busybox applets alone."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.unit.test_copy_in_script import run_script
from tui.services.tar.stream import TarStream
from tui.services.transfer.copy_in import verify_listed_sums
from tui.services.transfer.pull import FILE_SUM, TransferFailed

NAMES = [f"part-{index:03d}.bin" for index in range(40)] + ["a2", "b3", "c.d4.e", "name with space 6.txt", "odd"]


def numbered_files(root: Path) -> dict[str, bytes]:
    files = {f"d/{name}": f"{name} {index}".encode() * (index + 1) for index, name in enumerate(NAMES)}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_both_halves_are_hashed_and_listed_once(tmp_path: Path, tools: str) -> None:
    local = tmp_path / "local"
    files = numbered_files(local)
    archive = TarStream(local, sorted(files), hash_files=True)
    into = tmp_path / "pod" / ".k8sx-partial-x"
    stdin = b"new\n\n" + b"".join(bytes(chunk) for chunk in archive)
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", ""], stdin, trace=False)

    assert done.returncode == 0, done
    listed = [name.decode().removeprefix("./") for _, name in FILE_SUM.findall(done.stderr)]
    assert sorted(listed) == sorted(files), done.stderr  # each once: none lost, none twice
    assert verify_listed_sums(done.stderr, archive.digests) == "sha256"
    assert archive.digests == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    for wrong in ("d/part-004.bin", "d/part-007.bin"):  # one of each half
        with pytest.raises(TransferFailed, match=wrong):
            verify_listed_sums(done.stderr, archive.digests | {wrong: "0" * 64})


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_the_halves_are_hashed_apart_and_listed_one_after_the_other(tmp_path: Path, tools: str) -> None:
    local = tmp_path / "local"
    files = numbered_files(local)
    stdin = b"new\n\n" + b"".join(bytes(chunk) for chunk in TarStream(local, sorted(files), hash_files=True))
    into = tmp_path / "pod" / ".k8sx-partial-x"
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", ""], stdin, trace=False)

    listed = [name.decode().removeprefix("./") for _, name in FILE_SUM.findall(done.stderr)]
    halves = ["even" if re.search(r"[02468](\.[^/]*)?$", name) else "other" for name in listed]
    # The evens' hasher says its sums as they come, the others' wait until it is done (two writers on one pipe
    # could mix their lines); one hasher for all would list them in the folder's own order, mixed.
    assert halves == sorted(halves) and halves.count("even") == 23, listed
