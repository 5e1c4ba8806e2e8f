"""The copy-in's move into place runs in an exec opened beside the copy (told_exec.py): its script waits for the
word `move` and does nothing without it, so a copy that fails, is cancelled, or is cut leaves the target as it was.
Run here as a pod would, with GNU tools and with busybox applets alone; and the prefetch that overlaps reading and
hashing the next megabyte with sending this one."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_copy_in_script import shell_with
from tui.services.exec.outcome import ExecFailed, ExecOutcome
from tui.services.transfer.copy_in import MOVE_WHEN_TOLD
from tui.services.transfer.prefetch import prefetched
from tui.services.transfer.told_exec import ToldExec


def arrived_copy(tmp_path: Path) -> tuple[list[str], Path, Path]:
    """MOVE_IN's arguments for a copy that arrived in its hidden folder, over an older target."""
    folder = tmp_path / "pod" / "data"
    staging = folder / ".k8sx-partial-x"
    (staging / "d").mkdir(parents=True)
    (staging / "d" / "x.txt").write_bytes(b"new")
    (folder / "d").mkdir()
    (folder / "d" / "x.txt").write_bytes(b"old")
    return [str(staging), str(folder / "d"), "d", str(folder)], folder / "d", staging


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
@pytest.mark.parametrize("told", [b"", b"cancel\n", b"mov"])
def test_the_move_does_nothing_unless_told_move(tmp_path: Path, tools: str, told: bytes) -> None:
    args, target, staging = arrived_copy(tmp_path)
    shell, env = shell_with(tmp_path, tools)
    done = subprocess.run([shell, "-c", MOVE_WHEN_TOLD, "sh", *args], input=told, capture_output=True, env=env)

    assert done.returncode == 0 and b"k8sx:moved" not in done.stdout, done
    assert (target / "x.txt").read_bytes() == b"old" and (staging / "d" / "x.txt").read_bytes() == b"new"


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_told_move_puts_the_copy_in_place(tmp_path: Path, tools: str) -> None:
    args, target, staging = arrived_copy(tmp_path)
    shell, env = shell_with(tmp_path, tools)
    done = subprocess.run([shell, "-c", MOVE_WHEN_TOLD, "sh", *args], input=b"move\n", capture_output=True, env=env)

    assert b"k8sx:moved" in done.stdout, done
    assert (target / "x.txt").read_bytes() == b"new" and not staging.exists()


def test_prefetched_gives_every_piece_in_order_and_the_producers_failure() -> None:
    def pieces() -> Iterator[int]:
        yield from range(100)
        raise OSError("the disk went away")

    got: list[int] = []
    with pytest.raises(OSError, match="the disk went away"):
        for piece in prefetched(pieces(), ahead=3):
            got.append(piece)
    assert got == list(range(100))


def test_prefetched_runs_ahead_of_its_consumer_and_stops_when_it_leaves() -> None:
    produced: list[int] = []
    producer_threads: set[str] = set()

    def pieces() -> Iterator[int]:
        for index in range(1000):
            producer_threads.add(threading.current_thread().name)
            produced.append(index)
            yield index

    for piece in prefetched(pieces(), ahead=2):
        if piece == 0:
            deadline = time.monotonic() + 10
            while len(produced) < 4 and time.monotonic() < deadline:
                time.sleep(0.01)  # the producer fills what it may while this piece is "sent"
            time.sleep(0.1)
            assert len(produced) == 4  # the piece handed over, two queued, one more waiting for room: no further
        if piece == 5:
            break
    assert len(produced) < 20  # left early: the producer stopped instead of reading everything
    assert producer_threads == {"prefetch"}


class FakeStream:
    """An exec stream that records what it is told."""

    def __init__(self) -> None:
        self.written = b""
        self.stdin_closed = self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close_stdin(self) -> None:
        self.stdin_closed = True

    def stdout(self) -> Iterator[bytes]:
        yield b"k8sx:moved\n"

    def outcome(self) -> ExecOutcome:
        return ExecOutcome(0, "", b"")

    def close(self) -> None:
        self.closed = True


def test_a_told_exec_opens_in_its_own_thread_and_is_told_once_opened() -> None:
    stream, opened_in = FakeStream(), []

    def open_stream() -> FakeStream:
        opened_in.append(threading.current_thread().name)
        return stream

    with ToldExec(open_stream) as told:  # type: ignore[arg-type]
        assert opened_in == []  # nothing opened before start
        told.start()
        output, outcome = told.tell(b"move\n")
    assert opened_in == ["told-exec"] and (output, outcome.succeeded) == (b"k8sx:moved\n", True)
    assert (stream.written, stream.stdin_closed, stream.closed) == (b"move\n", True, True)


def test_a_told_exec_closed_untold_writes_nothing_and_its_opening_failure_is_raised_by_tell() -> None:
    stream = FakeStream()
    with ToldExec(lambda: stream) as told:  # type: ignore[arg-type,return-value]
        told.start()
    assert (stream.written, stream.stdin_closed, stream.closed) == (b"", False, True)

    def refused() -> FakeStream:
        raise ExecFailed("pod ns/p not found")

    failing = ToldExec(refused)  # type: ignore[arg-type]
    failing.start()
    with pytest.raises(ExecFailed, match="not found"):
        failing.tell(b"move\n")
    failing.close()
