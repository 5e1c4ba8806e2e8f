"""What one forwarded connection needs of a protocol: a data stream both ways and the kubelet's error words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class ForwardBroken(Exception):
    """The connection to the pod that carries the forward is gone (not one forwarded connection's failure)."""


class StreamPair(Protocol):
    def send(self, data: bytes | memoryview) -> None:
        """Bytes to the pod's port; ForwardBroken when the carrying connection is gone."""

    def close_write(self) -> None:
        """No more bytes to the pod (the local side has closed its half)."""

    def chunks(self) -> Iterator[bytes | bytearray]:
        """Bytes from the pod's port until it closes its side or the carrying connection ends."""

    def error_text(self) -> str:
        """The kubelet's words about this connection ("" when it said nothing): connection refused inside the pod."""

    def close(self) -> None: ...
