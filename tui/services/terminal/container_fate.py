"""What became of the container of a docker exec shell that was killed: removed (after a commit, maybe), stopped,
or still running (then only the shell died).

An interactive build's shell is killed (signal 9) when its container is committed and removed, wherever that is
done (the Terminal screen, the Images screen, the docker CLI); its tab should say so, not "killed by signal 9".
The commit is read from the engine's event log, so every one of those is named.
"""

from __future__ import annotations

import time
from datetime import datetime
from itertools import takewhile
from typing import Any

from docker.errors import NotFound

SETTLE_S = 3.0  # a removal takes a moment: the shell dies first, the container goes after
STEP_S = 0.05
RUNNING_CHECKS = 5  # seen running this many times in a row: the container lives on, only the shell died
_RUNNING = ("running", "paused")  # a commit pauses the container while it copies the filesystem


def container_fate(api: Any, container_id: str, since: str) -> str | None:
    """Words for what happened to the container (`since`: its creation, in the engine's time), or None when it still
    runs or the engine does not say. Blocks up to SETTLE_S; never raises."""
    state = _settled_state(api, container_id)
    if state is None or state in _RUNNING:
        return None
    if state != "removed":
        return f"container {state}"  # "exited", "dead": stopped by someone, not removed
    ref = last_commit(api, container_id, since)
    return f"container committed as {ref} and removed" if ref else "container removed"


def _settled_state(api: Any, container_id: str) -> str | None:
    """The container's state once it stops changing: "removed", "running", "exited" … (None: no answer)."""
    deadline = time.monotonic() + SETTLE_S
    running = 0
    while True:
        try:
            state = api.inspect_container(container_id).get("State") or {}
        except NotFound:
            return "removed"
        except Exception:
            return None
        status = str(state.get("Status") or "")
        running = running + 1 if status in _RUNNING else 0
        if running >= RUNNING_CHECKS or time.monotonic() >= deadline:
            return status or None
        time.sleep(STEP_S)


def last_commit(api: Any, container_id: str, since: str) -> str:
    """The image the container was last committed as (its name:tag, else its id), from the engine's events; "" when
    it was not committed or the engine keeps no such event any more."""
    try:
        until = unix_time(str(api.info()["SystemTime"]))  # the engine's now: a later `until` would wait for it
        events = api.events(
            since=unix_time(since) if since else None,
            until=until,
            decode=True,
            filters={"container": container_id, "event": ["commit"]},
        )
        found = [(event.get("Actor") or {}).get("Attributes") or {} for event in events]
    except Exception:
        return ""
    for attributes in reversed(found):
        ref = str(attributes.get("imageRef") or "") or str(attributes.get("imageID") or "")[:19]
        if ref:
            return ref
    return ""


def unix_time(text: str) -> str:
    """An RFC 3339 time as the engine writes it ("2026-12-07T09:38:33.253098462Z") as the Unix "seconds.nanoseconds"
    its events API takes (dockerd 20.10 takes no other form there). ValueError if it is not such a time."""
    head, dot, rest = text.partition(".")
    digits = "".join(takewhile(str.isdigit, rest))
    seconds = int(datetime.fromisoformat(head + rest[len(digits) :] if dot else text).timestamp())
    return f"{seconds}.{digits[:9]:0<9}"
