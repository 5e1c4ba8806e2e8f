"""Opening a forward's URL with the system's opener (xdg-open, open), when there is one."""

from __future__ import annotations

import shutil
import subprocess

OPENERS = ("xdg-open", "open")


def system_opener() -> str | None:
    return next((path for name in OPENERS if (path := shutil.which(name))), None)


def open_url(url: str) -> str | None:
    """The opener used, or None when there is none (the caller copies the URL instead)."""
    opener = system_opener()
    if opener is None:
        return None
    subprocess.Popen(  # its own session: a browser it starts outlives neither the app's terminal nor its keys
        [opener, url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    return opener
