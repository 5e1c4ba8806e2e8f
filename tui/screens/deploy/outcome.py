"""The message that tells the Deploy screen what an apply, restart or delete came to: posted by its workers and by
its flows (the loop, the restart and the clean-up), so it lives apart from the screen they all import."""

from __future__ import annotations

from textual.message import Message

from tui.services.deploy.fanout_follow import FanOutFollower


class DeployOutcome(Message):
    """An apply, restart or delete finished: what happened (or the refusal, verbatim)."""

    def __init__(
        self, text: str, ok: bool, follow: tuple[str, str] | None = None, fan_out: FanOutFollower | None = None
    ) -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.follow = follow  # (namespace, pod) to follow next
        self.fan_out = fan_out  # or the fan-out just applied
