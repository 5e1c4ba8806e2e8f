"""A cut transfer resumes, through the services: the files already verified stay, the half-written large file
continues from its byte offset, the result is byte-identical and fewer bytes cross the connection the second time.
Real kwok pods (their exec runs on this machine), real bytes, through the real API server. The app's resume
question: tests/e2e/test_transfer_resume.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.files import BIG, cut_after, digests, results_in
from tests.support.net import TcpProxy
from tests.support.pods import pod_with_root
from tests.support.stack import ROOT, StackEnv, kubeconfig_with_server, wait_for
from tui.models.transfer.progress import TransferProgress
from tui.services.kube.kube import KubeService
from tui.services.tar.safe_extract import PART_SUFFIX
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.pull import PodFileTransfer, TransferFailed, pull_source
from tui.services.transfer.pull_resume import partial_folder, resume_offer


def real_named_files_are_whole(folder: Path, original: Path) -> None:
    """In the hidden folder, every file under its real name is complete; only part files are short."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.endswith(PART_SUFFIX):
            relative = path.relative_to(folder / "out")
            assert path.read_bytes() == (original / relative).read_bytes(), relative


@pytest.mark.usefixtures("every_progress_reported")
def test_a_pull_cancelled_in_the_large_file_resumes_from_its_offset(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    results = results_in(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    transfer = PodFileTransfer(KubeService(stack.kubeconfig))
    local = tmp_path / "local" / "exp"
    cancel = threading.Event()
    with pytest.raises(TransferFailed, match=r"cancelled; the .* copied so far are kept .* pull again to resume"):
        transfer.pull(
            namespace, "exp", str(results), local, progress=cut_after(BIG // 2 + 2**20, cancel), cancel=cancel
        )
    assert not local.exists()
    source = pull_source(namespace, "exp", str(results))
    offer = resume_offer(local, source)
    assert offer is not None and offer.bytes >= BIG // 2, offer
    folder = partial_folder(local, source)
    assert (folder / "out" / ("model.bin" + PART_SUFFIX)).exists()
    real_named_files_are_whole(folder, results)

    summary = transfer.pull(namespace, "exp", str(results), local, resume=True)
    assert digests(local) == digests(results)
    assert (summary.files, summary.verified) == (41, "sha256")
    total = sum(p.stat().st_size for p in results.rglob("*") if p.is_file())
    assert summary.reused >= BIG // 2 and summary.sent < total - BIG // 2 + 1024 * 1024, summary
    assert not folder.exists() and resume_offer(local, source) is None

    # Without resume, a cut pull's folder is dropped and everything comes again.
    cancel.clear()
    with pytest.raises(TransferFailed):
        again = cut_after(BIG // 3, cancel)
        transfer.pull(namespace, "exp", str(results), tmp_path / "again", progress=again, cancel=cancel)
    full = transfer.pull(namespace, "exp", str(results), tmp_path / "again")
    assert full.reused == 0 and full.sent >= total and digests(tmp_path / "again") == digests(results)


# Stops (as a process stuck in the middle would) once half of the large file came, to be killed there: a pull
# over SPDY takes well under a second, too quick to catch it half-way by looking.
PULL_IN_A_PROCESS = """
import sys, time
from pathlib import Path
from tui.services.kube.kube import KubeService
from tui.services.transfer import pull
from tui.services.transfer.pull import PodFileTransfer
kubeconfig, namespace, remote, local, half = sys.argv[1:]
pull.PROGRESS_EVERY_S = 0.0  # a report per chunk: the stop lands half way however fast the machine

def stop_halfway(progress):
    while progress.bytes_done > int(half):
        time.sleep(1)

PodFileTransfer(KubeService(kubeconfig)).pull(namespace, "exp", remote, Path(local), progress=stop_halfway)
"""


def test_a_pull_whose_process_is_killed_resumes(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    results = results_in(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    local = tmp_path / "local" / "exp"
    folder = partial_folder(local, pull_source(namespace, "exp", str(results)))
    part = folder / "out" / ("model.bin" + PART_SUFFIX)
    worker = subprocess.Popen(
        [sys.executable, "-c", PULL_IN_A_PROCESS, stack.kubeconfig, namespace, str(results), str(local), str(BIG // 2)],
        cwd=ROOT,
    )
    try:
        wait_for(lambda: part.exists() and part.stat().st_size > BIG // 3, timeout=120, what="the large file half in")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert not local.exists()
    kept = part.stat().st_size
    assert 0 < kept < BIG
    summary = PodFileTransfer(KubeService(stack.kubeconfig)).pull(namespace, "exp", str(results), local, resume=True)
    assert digests(local) == digests(results)
    assert summary.reused >= kept and summary.sent <= BIG - kept + 1024 * 1024, summary


@pytest.mark.usefixtures("every_progress_reported")
def test_a_copy_in_cut_by_a_dropped_connection_resumes(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    root = tmp_path / "pod"
    (root / "persistent" / "data").mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    dataset = tmp_path / "dataset"
    (dataset / "shards").mkdir(parents=True)
    for index in range(30):
        (dataset / "shards" / f"{index:02d}.csv").write_text("a,b\n" * (index + 10))
    (dataset / "train.bin").write_bytes(os.urandom(BIG))
    proxy = TcpProxy(KubeService(stack.kubeconfig).api_client().configuration.host)
    try:
        through_proxy = PodCopyIn(KubeService(kubeconfig_with_server(stack, tmp_path, proxy.server)))
        dropped = threading.Event()

        def drop_midway(p: TransferProgress) -> None:
            if p.bytes_done >= BIG // 2 and not dropped.is_set():
                dropped.set()
                proxy.drop()

        with pytest.raises(TransferFailed, match="kept in the pod: copy again to resume"):
            through_proxy.copy_in(dataset, namespace, "exp", str(root / "persistent" / "data"), progress=drop_midway)
    finally:
        proxy.close()
    assert dropped.is_set()
    assert not (root / "persistent" / "data" / "dataset").exists()  # nothing looks complete in the pod
    copy_in = PodCopyIn(KubeService(stack.kubeconfig))
    time.sleep(0.5)  # the pod's tar notices its stdin is gone
    summary = copy_in.copy_in(dataset, namespace, "exp", str(root / "persistent" / "data"), resume=True)
    assert digests(root / "persistent" / "data" / "dataset") == digests(dataset)
    assert summary.verified == "sha256" and summary.reused > 0 and summary.sent < BIG, summary
    assert [p.name for p in (root / "persistent" / "data").iterdir()] == ["dataset"]
