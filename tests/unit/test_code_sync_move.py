"""The pod-side script that renames synced files into place, run here with sh and busybox sh (the images' shells)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tui.services.transfer.code_sync import MOVE_INTO_PLACE, STAGING

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
def test_a_linked_folder_on_the_way_is_refused(shell: list[str], tmp_path: Path) -> None:
    outside, done = move_beside_a_link(shell, tmp_path, "linked", {"linked/b.py": "new b"})
    assert done.returncode != 0 and "k8sx:islink linked" in done.stderr, done.stderr
    assert list(outside.iterdir()) == []
