"""Folders of test data and their digests: results and code folders the copies move, and copies cut and resumed."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.models.transfer.progress import TransferProgress
from tui.services.transfer.pull import TransferFailed

T = TypeVar("T")


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder`, by its path there: two folders with the same bytes compare equal."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def resume_until_done(attempt: Callable[[bool], T], attempts: int) -> tuple[T | None, list[str]]:
    """Call attempt(resume) until it returns: first resume=False, then resume=True after each TransferFailed, at
    most `attempts` calls. Returns its result (None when every call failed) and the message of each failure."""
    failures: list[str] = []
    for index in range(attempts):
        try:
            return attempt(index > 0), failures
        except TransferFailed as exc:
            failures.append(str(exc))
    return None, failures


# ---------------------------------------------------------------- results with a large file, cut and resumed

BIG = 60 * 1024 * 1024


def results_in(root: Path) -> Path:
    """A results folder with small files and one large file (sorted last by name, but tar sends directory order)."""
    results = root / "persistent" / "out"
    (results / "metrics").mkdir(parents=True)
    for index in range(40):
        (results / "metrics" / f"{index:02d}.json").write_text(f'{{"step": {index}}}' * (index + 1))
    (results / "model.bin").write_bytes(os.urandom(BIG))
    return results


def cut_after(count: int, cancel: threading.Event) -> Callable[[TransferProgress], None]:
    def progress(p: TransferProgress) -> None:
        if p.bytes_done >= count:
            cancel.set()

    return progress


CUT_AFTER = BIG * 4 // 10  # a relay cutting every connection after this many bytes (TcpProxy's cut_after)
ATTEMPTS = 8  # each connection carries about 40% of the large file: three or four are enough


def pod_with_results(stack: StackEnv, namespace: str, tmp_path: Path) -> Path:
    """A kwok pod "exp" whose results folder (40 small files and a large one) lies under tmp_path/pod."""
    results = results_in(tmp_path / "pod")
    pod_with_root(stack, namespace, tmp_path / "pod")
    return results


# ---------------------------------------------------------------- a code folder to sync


def code_folder(root: Path, files: int = 30) -> Path:
    code = root / "code"
    (code / "pkg").mkdir(parents=True)
    for index in range(files):
        (code / "pkg" / f"mod_{index:02d}.py").write_text(f"VALUE = {index}\n" * (index + 1))
    (code / "train.py").write_text("import pkg\nprint('train')\n")
    (code / ".git").mkdir()
    (code / ".git" / "HEAD").write_text("ref: refs/heads/main\n")  # left out: tool folders never travel
    return code


def without_tool_folders(folder: Path) -> dict[str, str]:
    return {path: digest for path, digest in digests(folder).items() if not path.startswith((".git", "__pycache__"))}
