"""Pieces of an iterator produced by a thread of their own a few pieces ahead of their consumer.

A copy-in reads and hashes each file (hashlib and unbuffered reads let go of the GIL) while the previous megabyte is
being sent (so does sendall): on a machine with a core to spare the two overlap instead of taking turns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetched(pieces: Iterable[T], ahead: int = 4) -> Generator[T, None, None]:
    """The same pieces in the same order; an exception of the producer is raised here. Leaving the loop early
    (break, an exception, close) stops the producer within a piece."""
    ready: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                if not _put(ready, piece, stop):
                    return
            _put(ready, _END, stop)
        except BaseException as exc:  # handed to the consumer, raised in its thread
            _put(ready, _Failed(exc), stop)

    producer = threading.Thread(target=produce, name="prefetch", daemon=True)
    producer.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        producer.join()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _put(ready: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put item once there is room; False when the consumer has gone."""
    while not stop.is_set():
        try:
            ready.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False
