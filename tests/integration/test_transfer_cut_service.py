"""The file that breaks `kubectl cp` (kubernetes#60140, kubectl#1425): a relay in front of the real API server resets
every connection once 40% of the large file passed through it, as a flaky load balancer does. The services' pull
and copy-in, resumed after each cut, end byte-identical; nothing looks complete before that. Real kwok pods (their
exec runs on this machine), real bytes; not timed (bench/transfer_cut.py measures). The app's pull key through the
same relay: tests/e2e/test_transfer_cut.py."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.files import ATTEMPTS, CUT_AFTER, digests, pod_with_results, results_in, resume_until_done
from tests.support.net import TcpProxy
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv, kubeconfig_with_server, wait_for
from tui.models.transfer.progress import TransferSummary
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.pull import PodFileTransfer


def cut_again_and_again(
    stack: StackEnv, tmp_path: Path, attempt: Callable[[KubeService, bool], TransferSummary], arrived: Path, says: str
) -> TransferSummary:
    """attempt(kube, resume) through the cutting relay until it succeeds; every cut said `says` and left nothing at
    `arrived` that looks complete."""
    proxy = TcpProxy(KubeService(stack.kubeconfig).api_client().configuration.host, cut_after=CUT_AFTER)
    kube = KubeService(kubeconfig_with_server(stack, tmp_path, proxy.server))
    seen_complete: list[bool] = []

    def call(resume: bool) -> TransferSummary:
        seen_complete.append(arrived.exists())
        return attempt(kube, resume)

    try:
        summary, failures = resume_until_done(call, ATTEMPTS)
    finally:
        proxy.close()
    assert summary is not None, failures
    assert proxy.cuts >= 2 and len(failures) >= 2, (proxy.cuts, failures)
    assert all(says in failure for failure in failures), failures
    assert not any(seen_complete)
    return summary


def test_a_pull_cut_again_and_again_resumes_to_a_byte_identical_result(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    results = pod_with_results(stack, namespace, tmp_path)
    local = tmp_path / "local" / "exp"
    summary = cut_again_and_again(
        stack, tmp_path,
        lambda kube, resume: PodFileTransfer(kube).pull(namespace, "exp", str(results), local, resume=resume),
        local, "pull again to resume",
    )  # fmt: skip
    assert digests(local) == digests(results)
    assert (summary.files, summary.verified) == (41, "sha256")
    assert summary.reused > 0, summary  # the last attempt continued the large file, it did not start over


@pytest.mark.parametrize("what", ["folder", "one file"])
def test_a_copy_in_cut_again_and_again_resumes_to_a_byte_identical_result(
    stack: StackEnv, namespace: str, tmp_path: Path, what: str
) -> None:
    root = tmp_path / "pod"
    data = root / "persistent" / "data"
    data.mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    folder = results_in(tmp_path / "local")  # 40 small files and one large one
    source = folder if what == "folder" else folder / "model.bin"  # a file goes without a folder around it
    summary = cut_again_and_again(
        stack, tmp_path,
        lambda kube, resume: PodCopyIn(kube).copy_in(source, namespace, "exp", str(data), resume=resume),
        data / source.name, "copy again to resume",
    )  # fmt: skip
    arrived = data / source.name
    if what == "folder":
        assert digests(arrived) == digests(source)
    else:
        assert hashlib.sha256(arrived.read_bytes()).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    assert summary.verified == "sha256" and summary.reused > 0, summary
    assert [p.name for p in data.iterdir()] == [source.name]  # no hidden folder left
    # kwok runs the pod's commands here: none of the cut copies' processes (tar, the large file's follower) stays
    wait_for(lambda: not processes_in(root), timeout=15, what=f"no process left in {root}")


def processes_in(folder: Path) -> list[int]:
    """Processes of this machine whose working directory is under folder."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found
