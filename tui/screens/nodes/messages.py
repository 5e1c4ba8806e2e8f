"""What the Nodes view asks of the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ShowPodsOnNode(Message):
    """`Enter` on a node: show the pod list with only the pods on `node` (the pod list filters by it)."""

    node: str
