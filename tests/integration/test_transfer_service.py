"""Pulling results out of a pod and copying data into it through the real API server, with the services alone
(kwok runs the pod's tar on this machine, so bytes really move through exec): checksums, refusals, atomic results,
clear failures. The same through the app's keys: tests/e2e/test_transfer.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.files import digests
from tests.support.pods import kwok_pod, pod_with_root, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.services.kube.kube import KubeService
from tui.services.transfer.pull import DestinationExists, PodFileTransfer, TransferFailed


@pytest.fixture
def transfer(stack: StackEnv) -> PodFileTransfer:
    return PodFileTransfer(KubeService(stack.kubeconfig))


def test_results_come_out_byte_identical_with_progress(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    root = tmp_path / "pod"
    results = root / "persistent" / "out"
    (results / "epochs").mkdir(parents=True)
    for epoch in range(300):
        (results / "epochs" / f"{epoch:03d}.json").write_text(f'{{"epoch": {epoch}, "loss": {1 / (epoch + 1)}}}')
    (results / "model.bin").write_bytes(os.urandom(40 * 1024 * 1024))
    pod_with_root(stack, namespace, root)
    seen = []
    summary = transfer.pull(namespace, "exp", str(results), tmp_path / "local" / "run-1", progress=seen.append)
    assert digests(tmp_path / "local" / "run-1") == digests(results)
    assert (summary.files, summary.verified, summary.refused) == (301, "sha256", [])
    assert summary.bytes == sum(p.stat().st_size for p in results.rglob("*") if p.is_file())
    assert seen and seen[-1].files_done == 301 and seen[-1].files_total == 301
    assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)
    assert not [p for p in (tmp_path / "local").iterdir() if "partial" in p.name]


def test_an_existing_local_folder_is_never_overwritten_without_asking(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "new.txt").write_text("new")
    pod_with_root(stack, namespace, root)
    local = tmp_path / "local"
    local.mkdir()
    (local / "precious.txt").write_text("keep me")
    with pytest.raises(DestinationExists):
        transfer.pull(namespace, "exp", str(root / "out"), local)
    assert (local / "precious.txt").read_text() == "keep me"
    transfer.pull(namespace, "exp", str(root / "out"), local, overwrite=True)
    assert [p.name for p in local.iterdir()] == ["new.txt"]


def test_a_symlink_pointing_out_of_the_results_is_refused(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "ok.txt").write_text("fine")
    (root / "out" / "secrets").symlink_to("/etc")
    pod_with_root(stack, namespace, root)
    summary = transfer.pull(namespace, "exp", str(root / "out"), tmp_path / "local")
    assert summary.refused == ["out/secrets: symlink to /etc leaves the destination"]
    assert sorted(p.name for p in (tmp_path / "local").iterdir()) == ["ok.txt"]


def test_names_with_a_newline_go_in_and_out_whole_checked_by_size_and_a_resume_of_them_starts_over(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    from tui.services.transfer.copy_in import PodCopyIn
    from tui.services.transfer.pull_resume import partial_folder

    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    local = tmp_path / "runs"
    local.mkdir()
    for index in range(5):  # a hasher's line for "a0\nb" starts like the line of "a0": each pair could be mixed up
        (local / f"a{index}").write_bytes(os.urandom(100 + index))
        (local / f"a{index}\nb").write_bytes(os.urandom(200 + index))
    sent = PodCopyIn(transfer.kube).copy_in(local, namespace, "exp", str(root), resume=True)
    assert (sent.files, sent.verified) == (10, "sha256 (5 by size)")
    assert digests(root / "runs") == digests(local)
    pulled = transfer.pull(namespace, "exp", str(root / "runs"), tmp_path / "back")
    assert (pulled.files, pulled.verified) == (10, "sha256 (5 by size)")
    assert digests(tmp_path / "back") == digests(local)
    staging = partial_folder(tmp_path / "again", f"{namespace}/exp:{root / 'runs'}")
    (staging / "runs").mkdir(parents=True)
    (staging / "runs" / "a0").write_bytes(b"left by a cut pull")
    resumed = transfer.pull(namespace, "exp", str(root / "runs"), tmp_path / "again", resume=True)
    assert resumed.reused == 0 and digests(tmp_path / "again") == digests(local)  # the listing refused: anew


def test_a_missing_path_is_said_plainly_and_leaves_nothing(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    with pytest.raises(TransferFailed, match="not found in the pod"):
        transfer.pull(namespace, "exp", str(root / "no-such-results"), tmp_path / "local")
    assert not (tmp_path / "local").exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_dataset_goes_in_byte_identical_and_an_existing_one_is_kept(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from tui.services.transfer.copy_in import PodCopyIn

    root = tmp_path / "pod"
    (root / "persistent" / "data").mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    dataset = tmp_path / "dataset"
    (dataset / "images").mkdir(parents=True)
    for index in range(200):
        (dataset / "images" / f"{index:04d}.raw").write_bytes(os.urandom(512 + index))
    (dataset / "labels.parquet").write_bytes(os.urandom(25 * 1024 * 1024))
    copy_in = PodCopyIn(KubeService(stack.kubeconfig))
    seen = []
    summary = copy_in.copy_in(dataset, namespace, "exp", str(root / "persistent" / "data"), progress=seen.append)
    assert digests(root / "persistent" / "data" / "dataset") == digests(dataset)
    assert (summary.files, summary.verified) == (201, "sha256")
    assert seen[-1].files_done == 201 and seen[-1].bytes_done >= summary.bytes
    assert [p.name for p in (root / "persistent" / "data").iterdir()] == ["dataset"]  # no staging left

    (dataset / "labels.parquet").write_bytes(b"changed")
    for resume in (False, True):  # the app's copy-in resumes by default: the same check in the same exec
        with pytest.raises(TransferFailed, match="already exists in the pod"):
            copy_in.copy_in(dataset, namespace, "exp", str(root / "persistent" / "data"), resume=resume)
    assert (root / "persistent" / "data" / "dataset" / "labels.parquet").stat().st_size == 25 * 1024 * 1024
    copy_in.copy_in(dataset, namespace, "exp", str(root / "persistent" / "data"), overwrite=True)
    assert (root / "persistent" / "data" / "dataset" / "labels.parquet").read_bytes() == b"changed"


def pod_with_tools(stack: StackEnv, namespace: str, root: Path, tools: Path) -> None:
    """A kwok pod whose exec'd commands find only the programs in `tools` (an image without some of them)."""
    apply(stack, namespace, kwok_pod("exp", workdir=root, envs={"PATH": str(tools)}))
    wait_pod_phase(stack, namespace, "exp")


def tools_folder(where: Path, *names: str) -> Path:
    where.mkdir(parents=True)
    for name in names:
        (where / name).symlink_to(shutil.which(name) or f"/usr/bin/{name}")
    return where


def pod_with_fake_sha256sum(stack: StackEnv, namespace: str, tmp_path: Path, script: str, *tools: str) -> Path:
    """A kwok pod with out/model.bin whose only hasher is a sha256sum running `script`; its root."""
    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "model.bin").write_bytes(os.urandom(1 << 16))
    folder = tools_folder(tmp_path / "bin", "tar", "find", "du", "wc", "tee", "cat", *tools)
    (folder / "sha256sum").write_text(f"#!/bin/sh\n{script}\n")
    (folder / "sha256sum").chmod(0o755)
    pod_with_tools(stack, namespace, root, folder)
    return root


def test_a_pull_whose_pod_side_dies_before_its_checksums_came_is_not_taken_for_complete(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    # The pod's hasher kills the whole exec (its process group) before any checksum is said: the archive may have
    # arrived whole, but nothing vouches for it and the command did not end well.
    root = pod_with_fake_sha256sum(stack, namespace, tmp_path, "sleep 1; kill -KILL 0", "sleep", "kill")
    with pytest.raises(TransferFailed):
        transfer.pull(namespace, "exp", str(root / "out"), tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_a_hasher_that_lists_no_file_leaves_the_pull_checked_by_size_only(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    # A sha256sum that says nothing and succeeds: the files arrive, and the summary does not claim sha256.
    root = pod_with_fake_sha256sum(stack, namespace, tmp_path, "exit 0")
    summary = transfer.pull(namespace, "exp", str(root / "out"), tmp_path / "results")
    assert summary.verified == "size"
    assert digests(tmp_path / "results") == digests(root / "out")


def test_a_pod_without_a_hasher_is_pulled_and_said_to_be_checked_by_size(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "model.bin").write_bytes(os.urandom(1 << 16))
    pod_with_tools(stack, namespace, root, tools_folder(tmp_path / "bin", "tar", "find", "du", "wc", "tee", "cat"))
    summary = transfer.pull(namespace, "exp", str(root / "out"), tmp_path / "results")
    assert summary.verified == "size"
    assert digests(tmp_path / "results") == digests(root / "out")


def test_a_file_written_to_while_it_is_pulled_is_fetched_again_and_the_pull_ends_equal(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    # A running experiment appends to its metrics: here the pod's tar appends once, right after sending the file,
    # and its hasher reads a moment later, so the first copy differs from the pod's sha256 of the file.
    root = tmp_path / "pod"
    (root / "out").mkdir(parents=True)
    (root / "out" / "model.bin").write_bytes(os.urandom(1 << 20))
    (root / "out" / "metrics.txt").write_text("epoch 1\n")
    tools = tools_folder(tmp_path / "bin", "find", "du", "wc", "cat", "sleep", "xargs", "stat", "touch")
    tar = shutil.which("tar") or "/usr/bin/tar"
    sha256sum = shutil.which("sha256sum") or "/usr/bin/sha256sum"
    changed = tmp_path / "changed-once"
    (tools / "tar").write_text(
        f'#!/bin/sh\n{tar} "$@"; s=$?\n'
        f'[ -e {changed} ] || {{ echo "epoch 2" >> {root}/out/metrics.txt; touch {changed}; }}\nexit $s\n'
    )
    (tools / "sha256sum").write_text(f'#!/bin/sh\nsleep 1\nexec {sha256sum} "$@"\n')
    for name in ("tar", "sha256sum"):
        (tools / name).chmod(0o755)
    pod_with_tools(stack, namespace, root, tools)
    summary = transfer.pull(namespace, "exp", str(root / "out"), tmp_path / "results")
    assert changed.exists() and (root / "out" / "metrics.txt").read_text() == "epoch 1\nepoch 2\n"
    assert digests(tmp_path / "results") == digests(root / "out")
    assert summary.verified == "sha256"
