"""Whether a symlink stays inside a folder taken as the root of everything: its target is resolved step by step as
the kernel would (links met on the way followed), except that `..` may never climb above the root, not even to
come back in by name: the root is renamed afterwards (a pull's hidden folder becomes the destination), and what
lies above it then is someone else's."""

from __future__ import annotations

import os

MAX_HOPS = 40  # links followed in one lookup before the kernel says ELOOP


def stays_inside(root: str, folder: str, target: str) -> bool:
    """A link in `folder` (relative to root; "" is root itself) pointing at `target` leads to root or below it.
    A target through a loop of links counts as leaving: it leads nowhere, and a later change could make it go out."""
    if target.startswith("/"):
        return False
    where = [part for part in folder.split("/") if part]
    pending = _parts(target)
    hops = 0
    while pending:
        part = pending.pop()
        if part == "..":
            if not where:
                return False
            where.pop()
            continue
        where.append(part)
        path = f"{root}/{'/'.join(where)}"
        if not os.path.islink(path):
            continue  # a folder, a file or nothing yet: taken by name
        hops += 1
        if hops > MAX_HOPS:
            return False
        followed = os.readlink(path)
        if followed.startswith("/"):
            return False
        where.pop()
        pending.extend(_parts(followed))
    return True


def _parts(target: str) -> list[str]:
    """The steps of a relative target, last first (popped from the end)."""
    return [part for part in reversed(target.split("/")) if part not in ("", ".")]
