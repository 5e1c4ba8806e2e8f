"""Copy in (`u`) and code sync (`U`) never follow a pod's links by surprise: a chosen folder or a target that is a
link is refused before anything is written, naming where it points; a dangling link is never replaced; a code sync
with a linked sub-folder on the way moves nothing at all. kwok runs the pod's commands on this machine, so the links
are made in the test's own folders and point at other folders of the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.files import code_folder, digests, without_tool_folders
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.services.kube.kube import KubeService
from tui.services.transfer.code_sync import CodeSync
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.pull import TransferFailed


def a_dataset(tmp_path: Path) -> Path:
    dataset = tmp_path / "local" / "dataset"
    (dataset / "images").mkdir(parents=True)
    for index in range(5):
        (dataset / "images" / f"{index}.raw").write_bytes(os.urandom(300 + index))
    (dataset / "labels.csv").write_text("a,b\n")
    return dataset


def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the pod's folder, with a file in it that must stay as it is."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    return outside


def pod_root(stack: StackEnv, namespace: str, tmp_path: Path) -> Path:
    root = tmp_path / "pod"
    (root / "persistent").mkdir(parents=True)
    pod_with_root(stack, namespace, root)
    return root


def test_copying_into_a_folder_that_is_a_link_is_refused_naming_where_it_points_and_writes_nothing(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    outside = elsewhere(tmp_path)
    data = root / "persistent" / "data"
    data.symlink_to(outside)
    copy_in, dataset = PodCopyIn(KubeService(stack.kubeconfig)), a_dataset(tmp_path)

    for overwrite in (False, True):
        with pytest.raises(TransferFailed) as refused:
            copy_in.copy_in(dataset, namespace, "exp", str(data), overwrite=overwrite)
        assert (
            str(refused.value) == f"{data} is a link to {outside}: refused (copy into the folder it points to instead)"
        )
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]  # no copy, no hidden staging folder
    assert data.is_symlink()


def test_a_target_that_is_a_link_to_a_folder_elsewhere_is_refused_even_when_replacing_is_asked(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    outside = elsewhere(tmp_path)
    data = root / "persistent" / "data"
    data.mkdir()
    (data / "dataset").symlink_to(outside)
    copy_in, dataset = PodCopyIn(KubeService(stack.kubeconfig)), a_dataset(tmp_path)

    for overwrite in (False, True):
        with pytest.raises(TransferFailed) as refused:
            copy_in.copy_in(dataset, namespace, "exp", str(data), overwrite=overwrite)
        assert str(refused.value) == (
            f"{data / 'dataset'} is a link to {outside}: refused (copy to where it points instead, or remove the link)"
        )
    assert (data / "dataset").is_symlink() and os.readlink(data / "dataset") == str(outside)
    assert [p.name for p in data.iterdir()] == ["dataset"]  # no hidden staging folder either
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]


def test_a_dangling_link_where_the_copy_would_go_is_never_replaced(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    data = root / "persistent" / "data"
    data.mkdir()
    gone = tmp_path / "mounted-later"
    (data / "dataset").symlink_to(gone)
    copy_in, dataset = PodCopyIn(KubeService(stack.kubeconfig)), a_dataset(tmp_path)

    for overwrite in (False, True):
        with pytest.raises(TransferFailed) as refused:
            copy_in.copy_in(dataset, namespace, "exp", str(data), overwrite=overwrite, resume=True)
        assert str(refused.value) == (
            f"{data / 'dataset'} is a link to {gone}, which does not exist: refused (remove the link first)"
        )
    assert (data / "dataset").is_symlink() and os.readlink(data / "dataset") == str(gone)
    assert [p.name for p in data.iterdir()] == ["dataset"]
    assert not gone.exists()


def test_a_code_sync_with_a_linked_sub_folder_on_the_way_moves_nothing_not_even_the_files_before_it(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    outside = elsewhere(tmp_path)
    code = code_folder(tmp_path / "local")
    pod_code = root / "persistent" / "code"
    sync = CodeSync(KubeService(stack.kubeconfig))
    sync.sync(sync.plan(code, namespace, "exp", str(pod_code)), namespace, "exp")
    before = digests(pod_code)

    (code / "main.py").write_text("print('v2')\n")  # moved first: the top folder's files come before sub-folders'
    (code / "linked").mkdir()
    (code / "linked" / "b.py").write_text("B = 2\n")
    (pod_code / "linked").symlink_to(outside)
    plan = sync.plan(code, namespace, "exp", str(pod_code))
    assert "main.py" in plan.to_send and "linked/b.py" in plan.to_send
    with pytest.raises(TransferFailed) as refused:
        sync.sync(plan, namespace, "exp")

    assert not (pod_code / "main.py").exists()  # not moved in ahead of the refusal
    assert digests(pod_code) == before
    assert sorted(p.name for p in pod_code.iterdir() if p.name.startswith(".")) == []  # no staging folder left
    assert str(refused.value) == (
        f"{pod_code / 'linked'} is a link to {outside}: refused, nothing was synced (files are never synced through "
        "a link: sync into the folder it points to instead)"
    )
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]


def test_a_code_sync_into_a_folder_that_is_a_link_is_refused_before_anything_is_compared(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    outside = elsewhere(tmp_path)
    pod_code = root / "persistent" / "code"
    pod_code.symlink_to(outside)
    sync = CodeSync(KubeService(stack.kubeconfig))

    with pytest.raises(TransferFailed) as refused:
        sync.plan(code_folder(tmp_path / "local"), namespace, "exp", str(pod_code))
    assert (
        str(refused.value) == f"{pod_code} is a link to {outside}: refused (sync into the folder it points to instead)"
    )
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]


def test_copy_in_and_code_sync_into_real_folders_still_work_beside_links_that_are_not_on_the_way(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = pod_root(stack, namespace, tmp_path)
    outside = elsewhere(tmp_path)
    data = root / "persistent" / "data"
    data.mkdir()
    (data / "shared").symlink_to(outside)  # beside the target, not on its way
    dataset = a_dataset(tmp_path)
    kube = KubeService(stack.kubeconfig)

    summary = PodCopyIn(kube).copy_in(dataset, namespace, "exp", str(data))
    assert (summary.files, summary.verified) == (6, "sha256")
    assert digests(data / "dataset") == digests(dataset)
    again = PodCopyIn(kube).copy_in(dataset, namespace, "exp", str(data), overwrite=True)
    assert again.files == 6 and digests(data / "dataset") == digests(dataset)

    code = code_folder(tmp_path / "local")
    pod_code = root / "persistent" / "code"
    pod_code.mkdir()
    (pod_code / "shared").symlink_to(outside)
    sync = CodeSync(kube)
    done = sync.sync(sync.plan(code, namespace, "exp", str(pod_code)), namespace, "exp")
    assert done.verified == "sha256"
    assert {p: d for p, d in digests(pod_code).items() if not p.startswith("shared/")} == without_tool_folders(code)
    assert sorted(p.name for p in data.iterdir()) == ["dataset", "shared"]
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]
