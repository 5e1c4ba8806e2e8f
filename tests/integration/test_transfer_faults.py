"""Faults while copying: a full local disk (a small tmpfs mounted for this test, or a file-size limit when this
machine does not let us mount), and a pod whose image has no tar (a real pod on the real node)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.files import digests
from tests.support.pods import pod_with_root
from tests.support.stack import ROOT, StackEnv
from tui.services.kube.kube import KubeService
from tui.services.tar.safe_extract import PART_SUFFIX
from tui.services.transfer.pull import PodFileTransfer, TransferFailed, pull_source
from tui.services.transfer.pull_resume import partial_folder

BIG = 24 * 1024 * 1024


@contextlib.contextmanager
def small_disk(where: Path, megabytes: int) -> Iterator[bool]:
    """A tmpfs of `megabytes` at `where`; yields False (and mounts nothing) when mounting is not allowed here."""
    where.mkdir(parents=True)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)]).returncode == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)


PULL_WITH_A_SIZE_LIMIT = """
import resource, signal, sys
from pathlib import Path
from tui.services.kube.kube import KubeService
from tui.services.transfer.pull import PodFileTransfer, TransferFailed
kubeconfig, namespace, remote, local, limit = sys.argv[1:]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
try:
    PodFileTransfer(KubeService(kubeconfig)).pull(namespace, "exp", remote, Path(local))
except TransferFailed as exc:
    print(exc)
"""


def test_a_full_local_disk_is_said_and_leaves_no_result_that_looks_complete(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    results = root / "out"
    results.mkdir(parents=True)
    for index in range(10):
        (results / f"small-{index}.txt").write_text(f"{index}\n" * 100)
    (results / "weights.bin").write_bytes(os.urandom(BIG))
    pod_with_root(stack, namespace, root)
    disk = tmp_path / "disk"
    local = disk / "exp"
    with small_disk(disk, 8) as mounted:
        if mounted:
            with pytest.raises(TransferFailed) as failed:
                PodFileTransfer(KubeService(stack.kubeconfig)).pull(namespace, "exp", str(results), local)
            message = str(failed.value)
            assert message.startswith("the local disk is full"), message
        else:
            said = subprocess.run(
                [sys.executable, "-c", PULL_WITH_A_SIZE_LIMIT, stack.kubeconfig, namespace, str(results), str(local),
                 str(8 * 1024 * 1024)],
                cwd=ROOT, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            message = said.stdout.strip()
            assert message.startswith("a file is larger than the local file system or your file-size limit"), said
        assert "kept in" in message and "pull again to resume" in message
        assert not local.exists()  # no result at all, let alone one that looks complete
        folder = partial_folder(local, pull_source(namespace, "exp", str(results)))
        for path in folder.rglob("*"):  # what is there under a real name is whole; the cut file is a part file
            if path.is_file() and not path.name.endswith(PART_SUFFIX):
                assert path.read_bytes() == (results / path.name).read_bytes(), path
        assert not (folder / "out" / "weights.bin").exists()

        # With room again (the same tmpfs made larger, or no limit), the same pull resumes and completes.
        if mounted:
            subprocess.run(["mount", "-o", "remount,size=96m", str(disk)], check=True)
        transfer = PodFileTransfer(KubeService(stack.kubeconfig))
        summary = transfer.pull(namespace, "exp", str(results), local, resume=True)
        assert digests(local) == digests(results) and summary.verified == "sha256"
        assert summary.reused > 0, summary


def test_a_pod_whose_image_has_no_tar_is_told_so_with_an_image_that_has_it(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    """A real pod on the real node, from an image holding /bin/busybox alone: no tar, no sh on its PATH. (An image
    with busybox's sh always has tar too: that sh runs busybox's own applets. The words for a missing tar alone
    are checked in tests/unit/test_safe_tar.py.)"""
    import uuid

    from tests.support.images import push_image, shell_less_image
    from tests.support.pods import manifest, real_node_pod, wait_pod_phase
    from tests.support.stack import apply
    from tui.services.transfer.copy_in import PodCopyIn

    tag = push_image(stack, shell_less_image, f"{stack.registry}/k8sx-e2e/no-tar:{uuid.uuid4().hex[:8]}")
    kube = KubeService(stack.kubeconfig)
    bare = real_node_pod("bare", tag, ["/bin/busybox", "sleep", "3600"], restart=None)
    apply(stack, namespace, manifest(bare))
    wait_pod_phase(stack, namespace, "bare", timeout=120)

    with pytest.raises(TransferFailed) as pulled:
        PodFileTransfer(kube).pull(namespace, "bare", "/persistent/out", tmp_path / "out")
    assert str(pulled.value).startswith("this pod's image has no sh, which copying needs (tar, run by sh)"), pulled
    assert "busybox" in str(pulled.value) and "nothing was kept" in str(pulled.value)
    assert not (tmp_path / "out").exists()

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1,2\n")
    with pytest.raises(TransferFailed, match=r"this pod's image has no sh, which copying needs \(tar") as pushed:
        PodCopyIn(kube).copy_in(tmp_path / "data", namespace, "bare", "/persistent/data")
    assert "busybox" in str(pushed.value)
