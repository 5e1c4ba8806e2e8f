"""An exec opened in the background (start) and told to act later (tell), so that its setup (a connection, the API
server, the pod's shell: tens of milliseconds on a busy node) overlaps other work instead of being waited for.

Its script must do nothing until it reads its line on stdin: closed without one, it leaves the pod as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tui.services.exec.stream import ExecOutcome, ExecStream


class ToldExec:
    """Opened by start(), in a thread of its own; told by tell(); closed by close() (told or not)."""

    def __init__(self, open_stream: Callable[[], ExecStream]) -> None:
        self._stream: ExecStream | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._open, args=(open_stream,), name="told-exec", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _open(self, open_stream: Callable[[], ExecStream]) -> None:
        try:
            self._stream = open_stream()
        except BaseException as exc:  # raised again, in the caller's thread, by tell()
            self._failure = exc

    def tell(self, line: bytes) -> tuple[bytes, ExecOutcome]:
        """Send the line and end stdin; the exec's stdout and outcome once it ends (its opening's failure, if any,
        raised here)."""
        if self._thread.ident is None:
            self.start()  # told before it was started: opened now
        self._thread.join()
        if self._stream is None:
            assert self._failure is not None
            raise self._failure
        self._stream.write(line)
        self._stream.close_stdin()
        output = b"".join(self._stream.stdout())
        return output, self._stream.outcome()

    def __enter__(self) -> ToldExec:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Without a line told, the script does nothing; waits for the opening to end first."""
        if self._thread.ident is not None:
            self._thread.join()
        if self._stream is not None:
            self._stream.close()
