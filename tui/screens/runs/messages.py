"""What the Runs screen asks the app for: screens of other domains (the pull flow is the transfer screens') may
not be imported here, so the app opens them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.models.pods.row import PodRow


@dataclass
class PullRunResults(Message):
    """`r` on a run: open the pull form for its pod (as r on the pod list) over the current screen."""

    pod: PodRow
    run_id: str
