"""Code sync through the service: the first sync sends everything, the next only the files that changed; files
gone locally are deleted in the pod only when asked; the pod's folder ends identical; a sync cut while sending
(cancelled, or its connection reset) replaces nothing: every file in the pod keeps its old bytes. The sync key (U
on a pod) of the app: tests/e2e/test_transfer_sync.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.support.files import code_folder, digests, without_tool_folders
from tests.support.net import TcpProxy
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv, kubeconfig_with_server
from tui.models.transfer.progress import TransferProgress
from tui.services.kube.kube import KubeService
from tui.services.transfer.code_sync import STAGING, CodeSync
from tui.services.transfer.pull import TransferFailed


def test_only_changed_files_are_sent_and_deleting_is_only_done_when_asked(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    code = code_folder(tmp_path / "local")
    pod_code = root / "persistent" / "code"
    sync = CodeSync(KubeService(stack.kubeconfig))

    first = sync.plan(code, namespace, "exp", str(pod_code))
    assert (len(first.new), len(first.changed), first.unchanged) == (31, 0, 0)
    done = sync.sync(first, namespace, "exp")
    assert (done.sent_files, done.verified) == (31, "sha256")
    assert digests(pod_code) == without_tool_folders(code)
    assert not (pod_code / ".git").exists()

    # Two files change, one is new, one is deleted locally; the pod's own __pycache__ is not ours to judge.
    (code / "pkg" / "mod_03.py").write_text("VALUE = 'changed'\n")
    (code / "train.py").write_text("import pkg\nprint('train v2')\n")
    (code / "pkg" / "mod_29.py").unlink()
    (pod_code / "__pycache__").mkdir()
    (pod_code / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\x00compiled")
    second = sync.plan(code, namespace, "exp", str(pod_code))
    assert sorted(second.changed) == ["pkg/mod_03.py", "train.py"]
    assert (second.new, second.gone, second.unchanged) == ([], ["pkg/mod_29.py"], 28)
    kept = sync.sync(second, namespace, "exp", delete=False)
    assert kept.sent_files == 2 and kept.deleted == 0
    assert kept.sent_bytes < done.sent_bytes / 5  # two small files and their headers, not the folder
    assert (pod_code / "pkg" / "mod_29.py").exists()

    third = sync.plan(code, namespace, "exp", str(pod_code))
    assert third.to_send == [] and third.gone == ["pkg/mod_29.py"]
    removed = sync.sync(third, namespace, "exp", delete=True)
    assert (removed.sent_files, removed.deleted) == (0, 1)
    in_pod = {p: d for p, d in digests(pod_code).items() if not p.startswith("__pycache__")}
    assert in_pod == without_tool_folders(code)
    assert (pod_code / "__pycache__" / "train.cpython-311.pyc").exists()


def changed_code_with_a_big_file(code: Path) -> None:
    """A big changed file first in the archive (files of the top folder come before the sub-folders'), so a cut
    lands inside it, and small changed files after it."""
    (code / "a_weights.bin").write_bytes(os.urandom(48 * 1024 * 1024))
    for index in range(0, 30, 3):
        (code / "pkg" / f"mod_{index:02d}.py").write_text(f"VALUE = 'v2 of {index}'\n")


@pytest.mark.usefixtures("every_progress_reported")
@pytest.mark.parametrize("cut", ["cancel", "connection reset"])
def test_a_sync_cut_while_sending_leaves_every_old_file_whole(
    stack: StackEnv, namespace: str, tmp_path: Path, cut: str
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    code = code_folder(tmp_path / "local")
    (code / "a_weights.bin").write_bytes(b"old weights\n" * 1000)
    pod_code = root / "persistent" / "code"
    direct = CodeSync(KubeService(stack.kubeconfig))
    direct.sync(direct.plan(code, namespace, "exp", str(pod_code)), namespace, "exp")
    old = digests(pod_code)

    changed_code_with_a_big_file(code)
    server = KubeService(stack.kubeconfig).api_client().configuration.host
    proxy = TcpProxy(server) if cut == "connection reset" else None
    sync = CodeSync(KubeService(kubeconfig_with_server(stack, tmp_path, proxy.server))) if proxy else direct
    plan = sync.plan(code, namespace, "exp", str(pod_code))
    assert len(plan.changed) == 11
    cancel = threading.Event()
    cut_at: list[int] = []

    def progress(seen: TransferProgress) -> None:
        if seen.bytes_done >= 4 * 1024 * 1024 and not cut_at:
            cut_at.append(seen.bytes_done)
            if proxy is not None:
                proxy.drop()
            else:
                cancel.set()

    try:
        with pytest.raises(TransferFailed) as failed:
            sync.sync(plan, namespace, "exp", progress=progress, cancel=cancel)
    finally:
        if proxy is not None:
            proxy.close()
    assert cut_at, "the sync ended before it could be cut"
    if cut == "cancel":
        assert str(failed.value) == "cancelled: the pod's files are as they were, nothing was replaced"
        assert not (pod_code / STAGING).exists()
    else:
        assert "the pod's files are as they were" in str(failed.value)
    # Outside the hidden staging folder every file has its old bytes: none replaced, none half-written.
    in_pod = {path: digest for path, digest in digests(pod_code).items() if not path.startswith(STAGING + "/")}
    assert in_pod == old

    # The next sync does not see the staging folder, sends the 11 changed files (only those), and ends identical.
    again = direct.plan(code, namespace, "exp", str(pod_code))
    assert (sorted(again.changed), again.new, again.gone) == (sorted(plan.changed), [], [])
    done = direct.sync(again, namespace, "exp")
    assert (done.sent_files, done.verified) == (11, "sha256")
    assert digests(pod_code) == without_tool_folders(code)
    assert not (pod_code / STAGING).exists()
