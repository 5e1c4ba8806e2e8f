"""The pod-side script that renames synced files into place, run here with sh and busybox sh (the images' shells)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tui.services.transfer.code_sync import MOVE_INTO_PLACE, STAGING
from tui.services.transfer.pod_links import pod_link

SHELLS = [["sh"], ["busybox", "sh"]]
NEEDED_PACKAGE = {"sh": "dash", "busybox": "busybox-static"}


def usable(shell: list[str]) -> list[str]:
    """The shell's argv; a missing shell fails the test (the images' shell must be tried, not skipped)."""
    if shutil.which(shell[0]) is None:
        pytest.fail(f"{shell[0]} is not installed: these tests need it (apt-get install {NEEDED_PACKAGE[shell[0]]})")
    return shell


def staged(root: Path, files: dict[str, str]) -> Path:
    staging = root / "code" / STAGING
    for name, text in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(text)
    return staging


def move(shell: list[str], cwd: Path, staging: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*usable(shell), "-c", MOVE_INTO_PLACE, "sh", staging, target], cwd=cwd, capture_output=True, text=True
    )


def move_beside_a_link(
    shell: list[str], tmp_path: Path, link: str, files: dict[str, str]
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`link` in the pod's folder points outside it; the staged files are moved in: (outside, what the script did)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    staged(tmp_path, files)
    (tmp_path / "code" / link).symlink_to(outside)
    return outside, move(shell, tmp_path, str(tmp_path / "code" / STAGING), str(tmp_path / "code"))


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_relative_folder_and_a_name_with_a_leading_dash_land_in_place(shell: list[str], tmp_path: Path) -> None:
    staged(tmp_path, {"-x.py": "new x", "pkg/a.py": "new a"})
    (tmp_path / "code" / "pkg").mkdir()
    (tmp_path / "code" / "pkg" / "a.py").write_text("old a")
    done = move(shell, tmp_path, f"code/{STAGING}", "code")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "code" / "-x.py").read_text() == "new x"
    assert (tmp_path / "code" / "pkg" / "a.py").read_text() == "new a"
    assert not (tmp_path / "code" / STAGING).exists()


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_link_where_a_file_goes_is_replaced_not_followed(shell: list[str], tmp_path: Path) -> None:
    outside, done = move_beside_a_link(shell, tmp_path, "data", {"data": "a file now"})
    assert done.returncode == 0, done.stderr
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "code" / "data").is_symlink() and (tmp_path / "code" / "data").read_text() == "a file now"


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_linked_folder_on_the_way_is_refused_before_any_file_is_moved(shell: list[str], tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("old main")
    files = {"main.py": "new main", "a/b/c.py": "new c", "linked/deep/b.py": "new b", "z.py": "new z"}
    outside, done = move_beside_a_link(shell, tmp_path, "linked", files)
    assert done.returncode != 0, done.stderr
    assert (tmp_path / "code" / "main.py").read_text() == "old main"
    assert sorted(p.name for p in (tmp_path / "code").iterdir()) == ["linked", "main.py"]  # no staging left either
    assert list(outside.iterdir()) == []
    link = pod_link(done.stderr)
    assert link is not None and (link.name, link.to, link.dangling) == ("linked", str(outside), False), done.stderr


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
def test_a_synced_folder_that_is_a_link_is_refused_and_nothing_is_moved(shell: list[str], tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    staging = staged(outside, {"main.py": "new main"})  # the staging folder was made through the link
    (tmp_path / "code").symlink_to(outside / "code")
    done = move(shell, tmp_path, str(tmp_path / "code" / STAGING), str(tmp_path / "code"))
    assert done.returncode != 0, done.stderr
    link = pod_link(done.stderr)
    assert link is not None and (link.name, link.to) == (".", str(outside / "code")), done.stderr
    assert not (outside / "code" / "main.py").exists()
    assert (staging / "main.py").exists()  # not even removed: nothing is done through the link


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: s[0])
@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_file_and_a_folder_of_the_same_name_are_refused_before_any_file_is_moved(
    shell: list[str], tmp_path: Path, kind: str
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.py").write_text("old main")
    if kind == "folder":  # the pod has a folder where a file goes
        (code / "zz" / "cfg").mkdir(parents=True)
        files, said = {"main.py": "new main", "zz/cfg": "a file here"}, "k8sx:isdir zz/cfg"
    else:  # the pod has a file where a folder goes
        (code / "zz").write_text("a file in the pod")
        files, said = {"main.py": "new main", "zz/cfg": "a file here"}, "k8sx:isfile zz"
    staged(tmp_path, files)
    done = move(shell, tmp_path, str(code / STAGING), str(code))
    assert done.returncode != 0 and said in done.stderr, done.stderr
    assert (code / "main.py").read_text() == "old main"
