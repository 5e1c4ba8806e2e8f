"""The file that breaks `kubectl cp` (kubernetes#60140, kubectl#1425): a relay in front of the real API server resets
every connection once 40% of the large file passed through it, as a flaky load balancer does. The app's pull and
copy-in, resumed after each cut, end byte-identical; nothing looks complete before that. Real kwok pods (their exec
runs on this machine), real bytes; not timed (bench/transfer_cut.py measures)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.e2e.test_transfer import digests, pod_with_root
from tests.e2e.test_transfer_resume import BIG, results_in
from tests.support import StackEnv, TcpProxy, kubeconfig_with_server, resume_until_done
from tui.models.transfer import TransferSummary
from tui.services.kube import KubeService
from tui.services.transfer import PodFileTransfer
from tui.services.upload import PodUpload

CUT_AFTER = BIG * 4 // 10
ATTEMPTS = 8  # each connection carries about 40% of the large file: three or four are enough


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
    results = results_in(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    local = tmp_path / "local" / "exp"
    summary = cut_again_and_again(
        stack, tmp_path,
        lambda kube, resume: PodFileTransfer(kube).pull(namespace, "exp", str(results), local, resume=resume),
        local, "pull again to resume",
    )  # fmt: skip
    assert digests(local) == digests(results)
    assert (summary.files, summary.verified) == (41, "sha256")
    assert summary.reused > 0, summary  # the last attempt continued the large file, it did not start over


def test_a_copy_in_cut_again_and_again_resumes_to_a_byte_identical_result(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    data = root / "persistent" / "data"
    data.mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    dataset = results_in(tmp_path / "local")  # 40 small files and one large one
    summary = cut_again_and_again(
        stack, tmp_path,
        lambda kube, resume: PodUpload(kube).push(dataset, namespace, "exp", str(data), resume=resume),
        data / dataset.name, "copy again to resume",
    )  # fmt: skip
    assert digests(data / dataset.name) == digests(dataset)
    assert summary.verified == "sha256" and summary.reused > 0, summary
    assert [p.name for p in data.iterdir()] == [dataset.name]  # no hidden folder left
