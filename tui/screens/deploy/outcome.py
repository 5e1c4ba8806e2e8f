"""The message that tells the Deploy screen what an apply, restart or delete came to: posted by its workers and by
its flows (the loop, the restart and the clean-up), so it lives apart from the screen they all import."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.services.deploy.fanout_follow import FanOutFollower


@dataclass
class DeployOutcome(Message):
    """An apply, restart or delete finished: what happened (or the refusal, verbatim)."""

    text: str
    ok: bool
    follow: tuple[str, str] | None = None
    fan_out: FanOutFollower | None = None
    applied_text: str | None = None  # the editor's text, applied as it was (kept: the app remembers what it applied)
