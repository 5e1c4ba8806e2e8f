"""The last words of a live list's info line (pods, events): what stops it, else that it is live, else that the
first list is still coming."""

from __future__ import annotations

from textual.markup import escape


def live_state(trouble: str, listed: bool) -> str:
    """Markup; `trouble` is shown as text (it holds what a server said)."""
    if trouble:
        return f"[$text-error]{escape(trouble)}[/]"
    return "[$text-success]live[/]" if listed else "listing…"
