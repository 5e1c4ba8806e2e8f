"""A layer's status from the engine, said for a newcomer. "Mounted from" means the registry already had the layer in
another repository and linked it instead of receiving it: the engine names that repository ("Mounted from
library/x"), or may not."""

from __future__ import annotations

from tui.models.logs.safe_text import safe_text

MOUNTED = "Mounted from"


def layer_words(status: str) -> str:
    """The status as shown beside a layer's bar (the engine's text, passed on from a registry: no control character
    reaches the terminal; draw it without markup)."""
    status = safe_text(status, colours=False)
    if not status.startswith(MOUNTED):
        return status
    source = status.removeprefix(MOUNTED).strip()
    if not source:
        return "already in the registry (mounted from another repository)"
    return f"already in the registry: mounted from {source}"
