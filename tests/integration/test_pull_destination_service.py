"""The pull service checks its destination itself (issue #17), whoever calls it: a destination like `a/x/../dest` is
normalised before anything is made, and the home folder is never replaced, even with overwrite=True. HOME is the
test's own folder. The same through the app's keys: tests/e2e/test_pull_destination.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.files import digests
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.services.kube.kube import KubeService
from tui.services.transfer.claim_pull import ClaimPull
from tui.services.transfer.pull import PodFileTransfer, TransferFailed


def results_of(root: Path) -> Path:
    out = root / "out"
    (out / "epochs").mkdir(parents=True)
    (out / "metrics.json").write_text('{"loss": 0.5}\n')
    (out / "epochs" / "1.txt").write_text("epoch 1\n")
    return out


def test_a_pull_into_a_x_dotdot_dest_lands_in_a_dest_and_makes_no_x(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    out = results_of(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    (tmp_path / "a").mkdir()
    summary = PodFileTransfer(KubeService(stack.kubeconfig)).pull(
        namespace, "exp", str(out), Path(f"{tmp_path}/a/x/../dest")
    )
    assert summary.destination == tmp_path / "a" / "dest"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["dest"]
    assert digests(tmp_path / "a" / "dest") == digests(out)


def test_the_home_folder_is_never_replaced_by_a_pull_even_when_overwrite_is_asked(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = results_of(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("years of work\n")
    monkeypatch.setenv("HOME", str(home))
    pulls = ClaimPull(KubeService(stack.kubeconfig))
    with pytest.raises(TransferFailed) as refused:
        pulls.pull_results(namespace, "exp", str(out), home, overwrite=True)
    assert str(refused.value) == f"not replacing {home}: it is your home folder"
    assert [p.name for p in home.iterdir()] == ["thesis.tex"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "pod"]  # no hidden partial folder beside it
