"""The code a run records: a git checkout's commit, branch, diff and untracked files (with real git), else a content
hash of the folder; every part bounded, what was left out said in words; hostile names and files are no trouble."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tui.services.runs import code_state as module
from tui.services.runs.code_state import code_state


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


def checkout(folder: Path) -> Path:
    """A repository with one commit on branch `main`: train.py and data/keep.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "t@example.com")
    git(folder, "config", "user.name", "t")
    (folder / "train.py").write_text("lr = 0.1\n")
    (folder / "data").mkdir()
    (folder / "data" / "keep.txt").write_text("kept\n")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "first")
    return folder


def test_a_clean_checkout_gives_its_commit_and_branch(tmp_path: Path) -> None:
    repo = checkout(tmp_path / "repo")
    state = code_state(repo)
    assert state.commit == git(repo, "rev-parse", "HEAD").strip()
    assert (state.branch, state.diff, state.untracked, state.content_hash, state.note) == ("main", "", (), "", "")
    assert state.label == state.commit[:7] and not state.dirty


def test_uncommitted_changes_are_the_diff_and_new_files_are_listed_even_with_newlines_in_their_names(
    tmp_path: Path,
) -> None:
    repo = checkout(tmp_path / "repo")
    (repo / "train.py").write_text("lr = 0.2\n")
    (repo / "new\nline.py").write_text("x\n")
    (repo / ".gitignore").write_text("*.ckpt\n")
    (repo / "model.ckpt").write_text("ignored\n")
    state = code_state(repo)
    assert "-lr = 0.1\n+lr = 0.2\n" in state.diff
    assert state.diff == git(repo, "diff", "HEAD")
    assert state.untracked == (".gitignore", "new\nline.py")  # ignored files are not the code
    assert state.dirty and state.label.endswith("+dirty")


def test_a_build_context_in_a_subfolder_records_only_its_own_changes(tmp_path: Path) -> None:
    repo = checkout(tmp_path / "repo")
    (repo / "train.py").write_text("changed outside the context\n")
    (repo / "data" / "keep.txt").write_text("changed inside\n")
    (repo / "data" / "extra.txt").write_text("new\n")
    state = code_state(repo / "data")
    assert "changed inside" in state.diff and "outside" not in state.diff
    assert state.untracked == ("extra.txt",)


def test_a_detached_head_has_no_branch(tmp_path: Path) -> None:
    repo = checkout(tmp_path / "repo")
    git(repo, "checkout", "-q", "--detach")
    state = code_state(repo)
    assert state.commit and state.branch == ""


def test_a_huge_diff_is_cut_with_a_note_and_many_untracked_files_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "DIFF_LIMIT", 1000)
    monkeypatch.setattr(module, "UNTRACKED_LIMIT", 3)
    repo = checkout(tmp_path / "repo")
    (repo / "train.py").write_text("".join(f"line {n}\n" for n in range(10_000)))
    for n in range(5):
        (repo / f"new-{n}.txt").write_text("x")
    state = code_state(repo)
    assert len(state.diff.encode()) == 1000 and state.diff.startswith("diff --git")
    assert state.untracked == ("new-0.txt", "new-1.txt", "new-2.txt")
    assert state.note == "git diff cut at its first 1.0kB; 5 untracked files: the first 3 listed"


def test_an_unborn_repository_or_a_missing_git_is_hashed_like_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "a.py").write_text("x")
    assert code_state(empty).content_hash and not code_state(empty).commit

    repo = checkout(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # no git binary at all
    state = code_state(repo)
    assert (state.commit, len(state.content_hash)) == ("", 64)


def test_a_git_that_does_not_answer_is_given_up_after_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "git").write_text("#!/bin/sh\nsleep 30\n")  # a child holding the output open: killed too
    (stand_in / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{stand_in}:{os.environ['PATH']}")
    monkeypatch.setattr(module, "GIT_TIMEOUT_S", 0.2)
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "a.py").write_text("x")
    state = code_state(folder)
    assert state.commit == "" and len(state.content_hash) == 64  # not a checkout as far as we can tell


def folder_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "ctx"
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def test_the_content_hash_follows_names_and_contents_but_not_git_or_where_the_folder_is(tmp_path: Path) -> None:
    files = {"train.py": b"lr = 0.1\n", "sub/data.csv": b"1,2\n"}
    first = code_state(folder_with(tmp_path / "one", files)).content_hash
    assert len(first) == 64
    assert code_state(folder_with(tmp_path / "two", files)).content_hash == first
    moved = folder_with(tmp_path / "three", {**files, ".git/HEAD": b"ref: refs/heads/main\n"})
    assert code_state(moved).content_hash == first  # .git is not the code (and not a checkout without a commit)
    assert code_state(folder_with(tmp_path / "four", {**files, "train.py": b"lr = 0.2\n"})).content_hash != first
    assert (
        code_state(folder_with(tmp_path / "five", {"train.py": b"lr = 0.1\n", "sub/dat.csv": b"1,2\n"})).content_hash
        != first
    )
    # A name's end and a content's start cannot be traded: "ab" + "c" is not "a" + "bc".
    assert (
        code_state(folder_with(tmp_path / "six", {"ab": b"c"})).content_hash
        != code_state(folder_with(tmp_path / "seven", {"a": b"bc"})).content_hash
    )


def test_symlinks_are_hashed_as_their_text_never_followed_and_pipes_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("one")
    folder = folder_with(tmp_path, {"train.py": b"x"})
    (folder / "link").symlink_to(outside)
    (folder / "loop").symlink_to(folder)  # a link to its own folder: followed, it would never end
    (folder / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(folder / "pipe")  # reading it would block forever
    (folder / "new\nline").write_text("y")
    first = code_state(folder).content_hash
    outside.write_text("two")  # what a link points at is not the folder's content
    assert code_state(folder).content_hash == first
    (folder / "link").unlink()
    (folder / "link").symlink_to(tmp_path / "other.txt")
    assert code_state(folder).content_hash != first


def test_a_folder_over_the_size_or_file_limit_is_not_hashed_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "HASH_LIMIT_BYTES", 2**20)
    folder = folder_with(tmp_path, {"small.py": b"x", "big.bin": b"\0" * (2**20 + 1)})
    state = code_state(folder)
    assert (state.content_hash, state.note) == ("", f"not hashed: {folder} holds more than 1.0MB")
    monkeypatch.setattr(module, "HASH_LIMIT_FILES", 3)
    many = folder_with(tmp_path / "many", {f"{n}.py": b"x" for n in range(5)})
    assert code_state(many).note == f"not hashed: {many} holds more than 3 files"


def test_an_unreadable_file_or_folder_is_hashed_as_unreadable_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path, {"a.py": b"x", "locked/b.py": b"y", "c.py": b"z"})
    readable = code_state(folder).content_hash
    real_open, real_scandir = os.open, os.scandir

    def refusing_open(path: str, flags: int) -> int:
        if path.endswith("c.py"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags)

    def refusing_scandir(path: str) -> object:
        if path.endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(module.os, "open", refusing_open)  # as for a file of mode 000 (the tests run as root)
    monkeypatch.setattr(module.os, "scandir", refusing_scandir)
    unreadable = code_state(folder)
    assert len(unreadable.content_hash) == 64 and unreadable.content_hash != readable


def test_a_build_context_that_does_not_exist_is_said_in_words(tmp_path: Path) -> None:
    state = code_state(tmp_path / "missing")
    assert (state.commit, state.content_hash) == ("", "")
    assert state.note == f"not hashed: cannot read {tmp_path / 'missing'}: No such file or directory"


def test_a_diff_that_does_not_come_in_time_is_said_and_the_commit_is_still_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "git").write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        "  *rev-parse*) echo 0123456789abcdef0123456789abcdef01234567 ;;\n"
        "  *symbolic-ref*) echo main ;;\n"
        '  *" diff "*) printf "diff --git a/x b/x\\n"; exec sleep 30 ;;\n'
        "esac\n"
    )
    (stand_in / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{stand_in}:{os.environ['PATH']}")
    monkeypatch.setattr(module, "GIT_TIMEOUT_S", 2.0)  # (the stand-in's other answers come in time on a busy machine)
    state = code_state(tmp_path)
    assert (state.commit, state.branch, state.diff) == ("0123456789abcdef0123456789abcdef01234567", "main", "")
    assert state.note == "git diff HEAD failed or gave no answer in time: the changes are not recorded"


def test_pulled_results_and_what_dockerignore_leaves_out_change_no_code_hash(tmp_path: Path) -> None:
    """Outside git the code is what a build sends: results pulled into the project (results/), or a checkpoint its
    .dockerignore leaves out, are not a code change (a walkthrough saw the code id change after a pull)."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "train.py").write_text("print('hi')\n")
    (folder / ".dockerignore").write_text("*.ckpt\n")
    before = code_state(folder)
    (folder / "results" / "pod").mkdir(parents=True)
    (folder / "results" / "pod" / "metrics.json").write_text("{}")
    (folder / "model.ckpt").write_bytes(b"\0" * 10)
    assert code_state(folder).content_hash == before.content_hash
    (folder / "train.py").write_text("print('changed')\n")
    assert code_state(folder).content_hash != before.content_hash
