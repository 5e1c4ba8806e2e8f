"""One-shot timers whose delay is computed. Textual's one-shot timer never fires when its tick is already past as its
task starts (a delay of a microsecond), and a delay of 0 raises: such a delay runs the callback on the next turn."""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump

SHORTEST_S = 0.001


def call_after(node: MessagePump, delay: float, callback: Callable[[], object]) -> None:
    """`callback` on `node`'s loop after `delay` seconds, or on the next turn when the delay is (nearly) none."""
    if delay < SHORTEST_S:
        node.call_later(callback)
    else:
        node.set_timer(delay, callback)
