"""A copy-in's move into place is an exec opened as the last byte is sent and told `move` only once every file's
sha256 in the pod equals ours: a copy that fails its check leaves what was there, and the copy in its hidden folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.test_transfer_service import pod_with_tools, tools_folder
from tests.support.stack import StackEnv
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.pull import TransferFailed

TOOLS = ("tar", "find", "stat", "dd", "mkdir", "rm", "mv", "cat", "grep", "readlink", "tr", "sleep")


def test_a_copy_whose_sums_differ_in_the_pod_is_not_moved_over_what_was_there(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    (root / "data" / "dataset").mkdir(parents=True)
    (root / "data" / "dataset" / "old.txt").write_bytes(b"old")
    tools = tools_folder(tmp_path / "bin", *TOOLS)
    wrong = "0" * 64
    (tools / "sha256sum").write_text(f'#!/bin/sh\nfor f; do echo "{wrong}  $f"; done\n')  # a pod whose bytes differ
    (tools / "sha256sum").chmod(0o755)
    pod_with_tools(stack, namespace, root, tools)
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    for index in range(30):
        (dataset / f"{index:02d}.bin").write_bytes(os.urandom(4096))

    copy_in = PodCopyIn(KubeService(stack.kubeconfig))
    with pytest.raises(TransferFailed, match="differ from the local ones"):
        copy_in.copy_in(dataset, namespace, "exp", str(root / "data"), overwrite=True)

    assert [p.name for p in (root / "data" / "dataset").iterdir()] == ["old.txt"]  # not replaced
    (staging,) = [p for p in (root / "data").iterdir() if p.name.startswith(".k8sx-partial-")]
    assert sorted(p.name for p in (staging / "dataset").iterdir()) == sorted(p.name for p in dataset.iterdir())
