"""The pod-side script of a copy-in, run here as a pod would: with this machine's GNU tools (tar reading records of
a megabyte, openssl hashing) and with nothing but busybox applets (tar without record options, sha256sum)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tui.services.tar_stream import TarStream
from tui.services.transfer import HASHED, TAR_STATUS
from tui.services.upload import PUSH_SCRIPT, verify_listed_sums

APPLETS = ("sh", "tar", "find", "sha256sum", "mkdir", "rm", "grep", "cat", "printf", "echo", "test", "[")


def busybox_path(tmp_path: Path) -> str:
    busybox = shutil.which("busybox")
    assert busybox, "busybox is part of the test stack's tools (tools/stack installs it)"
    folder = tmp_path / "busybox-bin"
    folder.mkdir()
    for applet in APPLETS:
        (folder / applet).symlink_to(busybox)
    return str(folder)


def local_files(root: Path) -> dict[str, bytes]:
    files = {"d/big.bin": os.urandom(3 << 20) + b"tail", "d/small.txt": b"x" * 700, "d/deep/empty": b""}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_copy_in_extracts_every_file_and_lists_their_sha256_with_either_set_of_tools(
    tmp_path: Path, tools: str
) -> None:
    local = tmp_path / "local"
    files = local_files(local)
    archive = TarStream(local, sorted(files), hash_files=True)
    stdin = b"".join(bytes(chunk) for chunk in archive)
    env = {**os.environ, "PATH": busybox_path(tmp_path)} if tools == "busybox" else dict(os.environ)
    shell = [str(Path(env["PATH"].split(os.pathsep)[0]) / "sh")] if tools == "busybox" else ["sh"]
    into = tmp_path / "pod" / ".k8sx-partial-x"
    done = subprocess.run(
        [*shell, "-xc", PUSH_SCRIPT, "sh", str(into), str(tmp_path / "pod" / "d"), "new", "no"],
        input=stdin, capture_output=True, env=env, check=True,
    )  # fmt: skip

    assert done.stdout.strip() == b"k8sx:go", done
    status = TAR_STATUS.search(done.stderr)
    assert status is not None and status.group(1) == b"0", done.stderr
    assert HASHED.search(done.stderr) is not None, done.stderr
    traced = done.stderr.decode(errors="replace")  # sh -x: the commands as run
    assert ("tar xf - -b 2048 -B -C" in traced) is (tools == "gnu"), traced
    hasher = "openssl dgst -sha256 -r" if tools == "gnu" else "sha256sum"
    assert f"-exec {hasher} {{}} +" in traced.replace("'{}'", "{}"), traced  # busybox quotes the {}
    for name, data in files.items():
        assert (into / name).read_bytes() == data, name
    assert archive.digests == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert verify_listed_sums(done.stderr, archive.digests) == "sha256"
