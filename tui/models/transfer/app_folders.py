"""The app's own folders in a project: where pulls land (`./results/<pod>` of the working directory) and the hidden
folders a cut pull or copy leaves (`.NAME.k8sx-partial-KEY` here, `.k8sx-partial-KEY` in a pod). They are results,
not code: Docker builds and code syncs leave them out, so an image does not carry last week's results."""

from __future__ import annotations

import fnmatch
from pathlib import Path

RESULTS_FOLDER = "results"
PARTIAL = ".*k8sx-partial-*"  # both kinds of hidden partial folder


def results_folder(cwd: Path) -> Path:
    """Where `r` puts a pod's results by default: results/<pod> in it."""
    return cwd / RESULTS_FOLDER


def results_within(root: Path, results: Path) -> str | None:
    """The results folder relative to `root` (POSIX), when it lies inside it; None otherwise (root itself too: a
    build or sync of the results folder is what was asked for)."""
    try:
        relative = results.absolute().relative_to(root.absolute())
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else None


def dockerignore_patterns(root: Path, results: Path) -> list[str]:
    """.dockerignore lines leaving the app's folders out of a build context at `root`. Put before the user's own, so a
    `!results` there keeps them in."""
    relative = results_within(root, results)
    return ([relative] if relative else []) + [f"**/{PARTIAL}"]


def is_app_folder(relative: str, results: str | None) -> bool:
    """Whether the path (POSIX, relative to a synced folder) lies in one of the app's folders; `results`: the
    results folder relative to the same folder (results_within), or None."""
    parts = relative.split("/")
    if results and (relative == results or relative.startswith(results + "/")):
        return True
    return any(fnmatch.fnmatchcase(part, PARTIAL) for part in parts[:-1])
