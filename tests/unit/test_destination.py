"""Where a pull may put its results (issue #17): the folders it never replaces, the path normalised by its text
before anything is made, and what the replace question counts. The app's twin: tests/e2e/test_pull_destination.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.models.transfer.destination import SYSTEM_FOLDERS, Facts, TreeSize, normalise, refusal
from tui.services.transfer.destination import checked, tree_size

HERE = Facts(home="/home/ada", cwd="/home/ada/work/exp")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/", "it is the whole file system"),
        ("/home/ada", "it is your home folder"),
        ("/home", "your home folder /home/ada is in it"),
        ("/home/ada/work/exp", "it is the current folder"),
        ("/home/ada/work", "the current folder /home/ada/work/exp is in it"),
        ("/etc", "it is a system folder"),
        ("/var", "it is a system folder"),
        ("/usr/lib", "it is inside the system folder /usr"),
        ("/proc/1", "it is inside the system folder /proc"),
    ],
)
def test_a_pull_never_replaces_the_file_system_home_the_current_folder_or_a_system_folder(
    path: str, reason: str
) -> None:
    assert refusal(path, HERE) == f"not replacing {path}: {reason}"


@pytest.mark.parametrize(
    "path",
    ["/home/ada/results/exp", "/home/ada/work/exp/results/exp", "/tmp/results", "/var/tmp/results",
     "/opt/project/results", "/srv/data/exp", "/home/adam"],
)  # fmt: skip
def test_results_folders_anywhere_else_may_be_replaced(path: str) -> None:
    assert refusal(path, HERE) is None


def test_every_system_folder_of_the_issue_is_refused() -> None:
    listed = "/etc /usr /var /bin /sbin /boot /lib /lib32 /lib64 /libx32 /proc /sys /dev /root /opt /srv /run /snap"
    assert set(listed.split()) == set(SYSTEM_FOLDERS)
    assert all(refusal(folder, HERE) for folder in listed.split())


def test_a_symbolic_link_is_refused_whatever_it_points_to() -> None:
    reason = refusal("/tmp/results", Facts("/home/ada", "/home/ada/work", is_link=True))
    assert reason == "not replacing /tmp/results: it is a symbolic link (name the folder itself)"


def test_a_link_in_a_parent_folder_is_followed_and_where_it_leads_is_checked_too() -> None:
    # /data/ada/results is a link to /mnt/disk: results go to the disk, fine.
    assert refusal("/data/ada/results/exp", Facts("/home/ada", "/w", resolved="/mnt/disk/exp")) is None
    # /tmp/up links to /home: /tmp/up/ada is the home folder under another name.
    reason = refusal("/tmp/up/ada", Facts("/home/ada", "/w", resolved="/home/ada"))
    assert reason == "not replacing /tmp/up/ada: through a link it is /home/ada; it is your home folder"


def test_a_home_reached_through_a_link_is_known_by_both_names() -> None:
    facts = Facts("/home/ada", "/w", real_home="/usr/home/ada")
    assert refusal("/usr/home/ada", facts) == "not replacing /usr/home/ada: it is your home folder"
    assert refusal("/home/ada", facts) == "not replacing /home/ada: it is your home folder"


def test_a_path_is_normalised_by_its_text_before_it_is_checked() -> None:
    assert normalise("a/x/../dest", "/tmp/w") == "/tmp/w/a/dest"
    assert normalise("/tmp/w/./a//dest/", "/") == "/tmp/w/a/dest"
    assert normalise("//etc", "/") == "/etc"
    assert normalise("..", "/home/ada") == "/home"
    assert refusal(normalise("results/../..", "/home/ada/work"), HERE) is not None  # /home/ada


def test_what_a_replace_deletes_is_said_in_files_and_bytes() -> None:
    assert TreeSize(12, 3_400_000).words() == "12 files, 3.4MB"
    assert TreeSize(1, 5).words() == "1 file, 5B"
    assert TreeSize(10_000, 1_200_000_000, complete=False).words() == "more than 10,000 files, more than 1.2GB"
    assert TreeSize(1, 2) + TreeSize(3, 4, complete=False) == TreeSize(4, 6, complete=False)


# ---------------------------------------------------------------- the local side (this machine's files)


def test_the_count_of_a_folder_follows_no_link_and_stops_at_its_cap(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"x" * 10)
    (folder / "deep" / "b.txt").write_bytes(b"y" * 5)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "big").write_bytes(b"z" * 1000)
    (folder / "link").symlink_to(elsewhere)
    assert tree_size([folder]) == TreeSize(3, 15)  # the link is one entry, its folder is not walked
    assert tree_size([folder / "a.txt", tmp_path / "not-there"]) == TreeSize(1, 10)
    capped = tree_size([folder], cap=2)
    assert not capped.complete and capped.files <= 2


def test_the_destination_is_normalised_and_checked_on_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, work = tmp_path / "home", tmp_path / "home" / "work"
    work.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    assert checked("a/x/../dest") == (work / "a" / "dest", None)
    assert checked("~") == (home, f"not replacing {home}: it is your home folder")
    assert checked("..") == (home, f"not replacing {home}: it is your home folder")
    (tmp_path / "link").symlink_to(tmp_path / "home")
    path, reason = checked(tmp_path / "link")
    assert reason == f"not replacing {path}: it is a symbolic link (name the folder itself)"
    path, reason = checked(tmp_path / "link" / "work")
    assert reason == f"not replacing {path}: through a link it is {work}; it is the current folder"
    assert sorted(os.listdir(tmp_path)) == ["home", "link"] and os.listdir(work) == []  # nothing made on the way


# ---------------------------------------------------------------- the service refuses too (defence in depth)


class Untouchable:
    """A cluster the refused pull must never reach."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the pull used kube.{name} before refusing")


def test_a_service_call_that_would_replace_the_home_folder_is_refused_before_anything_is_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.services.transfer.pull import PodFileTransfer, TransferFailed

    home = tmp_path / "home"
    (home / "thesis").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    transfer = PodFileTransfer(Untouchable())  # type: ignore[arg-type]
    with pytest.raises(TransferFailed, match=f"^not replacing {home}: it is your home folder$"):
        transfer.pull("ns", "exp", "/persistent/out", home, overwrite=True)
    with pytest.raises(TransferFailed, match=f"^not replacing {home}: it is your home folder$"):
        transfer.pull("ns", "exp", "/persistent/out", Path("~"), overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["home"] and os.listdir(home) == ["thesis"]
    before = sorted(os.listdir("/"))
    with pytest.raises(TransferFailed, match=r"^not replacing /: it is the whole file system$"):
        transfer.pull("ns", "exp", "/persistent/out", Path("/"), overwrite=True)
    assert sorted(os.listdir("/")) == before  # no hidden partial folder either
