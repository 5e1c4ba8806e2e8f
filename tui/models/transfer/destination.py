"""Where a pull may put its results: the checks made before a local folder is replaced by pulled files, and the
words for what replacing one deletes. Pure: the caller says where home and the working directory are, whether the
path is a link and where its parent's links lead (services/transfer/destination.py finds that out)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from tui.models.units import counted, human_bytes

# Never replaced, whatever is asked; and nothing inside the first group either (no user's results live there).
SYSTEM_TREES = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/sbin",
    "/sys",
    "/usr",
)
SYSTEM_FOLDERS = (*SYSTEM_TREES, "/opt", "/root", "/run", "/snap", "/srv", "/var")


def normalise(path: str, cwd: str) -> str:
    """The absolute path, `.`, `..` and doubled slashes resolved by its text alone (no link followed): `a/x/../dest`
    is `<cwd>/a/dest`, so no `x` folder is made on the way."""
    joined = posixpath.normpath(posixpath.join(cwd, path))
    return "/" + joined.lstrip("/")  # normpath keeps a leading "//"


@dataclass(frozen=True)
class Facts:
    """What the checks need to know besides the path: all paths absolute."""

    home: str
    cwd: str
    is_link: bool = False  # the path itself is a symbolic link
    resolved: str = ""  # the path with the links of its parent followed, when that differs
    real_home: str = ""  # home with its links followed, when that differs


def refusal(path: str, facts: Facts) -> str | None:
    """Why a pull must not replace `path` (absolute, normalised), in words naming it; None when it may.

    A link in a parent folder is followed (results on a disk mounted elsewhere and linked in are common) and the
    folder it leads to is checked too, so no link can bring the home folder or a system folder in by another name."""
    if facts.is_link:
        return f"not replacing {path}: it is a symbolic link (name the folder itself)"
    homes = [normalise(home, "/") for home in (facts.home, facts.real_home) if home]
    cwd = normalise(facts.cwd, "/")
    reason = _why_not(path, homes, cwd)
    if reason is None and facts.resolved and facts.resolved != path:
        reason = _why_not(facts.resolved, homes, cwd)
        reason = reason and f"through a link it is {facts.resolved}; {reason}"
    return f"not replacing {path}: {reason}" if reason else None


def _why_not(path: str, homes: list[str], cwd: str) -> str | None:
    if path == "/":
        return "it is the whole file system"
    for home in homes:
        if path == home:
            return "it is your home folder"
        if _inside(home, path):
            return f"your home folder {home} is in it"
    if path == cwd:
        return "it is the current folder"
    if _inside(cwd, path):
        return f"the current folder {cwd} is in it"
    if path in SYSTEM_FOLDERS:
        return "it is a system folder"
    tree = next((tree for tree in SYSTEM_TREES if _inside(path, tree)), None)
    return f"it is inside the system folder {tree}" if tree else None


def _inside(path: str, folder: str) -> bool:
    return path != folder and path.startswith(folder.rstrip("/") + "/")


@dataclass(frozen=True)
class TreeSize:
    """What a folder (or file) holds, counted without following links; `complete` is False when the count stopped
    early, and then the numbers are lower bounds."""

    files: int
    bytes: int
    complete: bool = True

    def __add__(self, other: TreeSize) -> TreeSize:
        return TreeSize(self.files + other.files, self.bytes + other.bytes, self.complete and other.complete)

    def words(self) -> str:
        """`12 files, 3.4MB`; `more than 10,000 files, more than 1.2GB` when the count stopped early."""
        if self.complete:
            return f"{counted(self.files, 'file')}, {human_bytes(self.bytes)}"
        return f"more than {counted(self.files, 'file')}, more than {human_bytes(self.bytes)}"
