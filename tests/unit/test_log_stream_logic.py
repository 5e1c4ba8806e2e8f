"""The pure logic behind following a log: resuming without repeats, merging sources, batching, when a log ends."""

from __future__ import annotations

import io
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    StreamConnected,
    StreamEnded,
    StreamGap,
    StreamRestarted,
    StreamTrouble,
    classify_refusal,
    end_verdict,
    parse_range,
    restart_reason,
    runs_a_newer_container,
    since_choices,
    since_time_param,
    sort_key,
    timestamp_ns,
)
from tui.services.logs.body import ChunkedDecoder, SocketBody
from tui.services.logs.feed import LogFeed, merge_batch
from tui.services.logs.stream import LastTimestamp, LogStream, ResumeDedupe


def lines(*pairs: tuple[str, str]) -> bytes:
    return b"".join(f"{stamp} {text}\n".encode() for stamp, text in pairs)


T1, T2, T3 = "2026-11-29T10:00:00.000000001Z", "2026-11-29T10:00:00.000000002Z", "2026-11-29T10:00:01.5Z"


def test_timestamps_parse_in_any_rfc3339_form_and_resume_from_the_whole_second() -> None:
    ten = int(datetime(2026, 11, 29, 10, tzinfo=UTC).timestamp()) * 1_000_000_000
    assert timestamp_ns(b"2026-11-29T10:00:00.000000001Z") == ten + 1
    assert timestamp_ns(b"2026-11-29T11:00:00+01:00") == timestamp_ns(b"2026-11-29T10:00:00Z")
    assert timestamp_ns(b"not a time") is None
    assert since_time_param(ten + 999_999_999) == "2026-11-29T10:00:00Z"
    assert sort_key(b"2026-11-29T11:00:00.5+01:00 x") == sort_key(b"2026-11-29T10:00:00.500000000Z x")


def test_the_stream_remembers_how_many_lines_it_got_at_the_last_timestamp() -> None:
    tail = LastTimestamp()
    tail.note(lines((T1, "a"), (T2, "b"), (T2, "c")))
    assert (tail.token, tail.run) == (T2.encode(), 2)
    tail.note(lines((T2, "d")))  # the run goes on across blocks
    assert tail.run == 3
    tail.note(lines((T3, "e")))
    assert (tail.token, tail.run) == (T3.encode(), 1)


def test_a_resume_drops_exactly_what_was_received_even_among_equal_timestamps() -> None:
    tail = LastTimestamp()
    tail.note(lines((T1, "a"), (T2, "b"), (T2, "c")))
    dedupe = ResumeDedupe(tail)
    # sinceTime is whole seconds: the server resends everything of that second, in parts
    assert dedupe.feed(lines((T1, "a"), (T2, "b"))) == b""
    assert dedupe.feed(lines((T2, "c"), (T2, "d"), (T3, "e"))) == lines((T2, "d"), (T3, "e"))
    assert dedupe.done and not dedupe.gap


def test_a_resume_that_cannot_find_the_lines_it_had_reports_a_gap() -> None:
    tail = LastTimestamp()
    tail.note(lines((T1, "a"), (T2, "b")))
    dedupe = ResumeDedupe(tail)  # meanwhile the container restarted: its new log starts later
    assert dedupe.feed(lines((T3, "new container"))) == lines((T3, "new container"))
    assert dedupe.gap


def test_interleaved_sources_are_ordered_by_time_and_one_source_is_just_joined() -> None:
    merged = merge_batch(
        [
            StreamConnected(1),
            LogChunk(1, lines((T2, "b2")), 1),
            StreamConnected(0),
            LogChunk(0, lines((T1, "a1"), (T3, "a3")), 2),
            StreamTrouble(1, "dropped", 0.5),
            StreamGap(1, "lines may be missing"),
            LogChunk(1, lines((T3, "b4")), 1),
            LogChunk(1, lines((T3, "b5")), 1),
            StreamEnded(0, "container exited"),
        ]
    )
    assert merged == [
        LogChunk(0, lines((T1, "a1")), 1),
        LogChunk(1, lines((T2, "b2")), 1),
        LogChunk(0, lines((T3, "a3")), 1),
        StreamGap(1, "lines may be missing"),
        LogChunk(1, lines((T3, "b4"), (T3, "b5")), 2),
        StreamConnected(1),
        StreamConnected(0),
        StreamTrouble(1, "dropped", 0.5),
        StreamEnded(0, "container exited"),
    ]


def test_the_feed_wakes_the_ui_once_per_batch_and_hands_out_slices() -> None:
    feed = LogFeed()
    feed.RUN_BYTES = 40
    assert feed.add(LogChunk(0, lines((T1, "a")) * 3, 3)) is True
    assert feed.add(LogChunk(0, lines((T2, "b")), 1)) is False  # the UI was already woken
    assert feed.add(LogChunk(1, lines((T2, "c")), 1)) is False
    assert feed.add(StreamEnded(1, "done")) is False
    first, more = feed.take(max_bytes=10)
    assert first == [LogChunk(0, lines((T1, "a")) * 3, 3)] and more  # a run is cut at RUN_BYTES
    rest, more = feed.take(max_bytes=10)
    assert rest == [LogChunk(0, lines((T2, "b")), 1)] and more
    rest, more = feed.take()
    assert rest == [LogChunk(1, lines((T2, "c")), 1), StreamEnded(1, "done")] and not more
    assert feed.add(LogChunk(0, lines((T3, "d")), 1)) is True  # all taken: the next event wakes the UI again
    feed.add(LogChunk(0, lines((T3, "e")), 1))
    assert feed.take()[0] == [LogChunk(0, lines((T3, "d"), (T3, "e")), 2)]  # reads of a source come out as one


def test_a_stream_far_ahead_of_the_ui_waits_instead_of_dropping_lines() -> None:
    feed = LogFeed(max_pending_bytes=100)
    feed.add(LogChunk(0, b"x" * 200 + b"\n", 1))
    added = threading.Event()
    threading.Thread(target=lambda: (feed.add(LogChunk(0, b"y\n", 1)), added.set()), daemon=True).start()
    deadline = time.monotonic() + 10
    # Until the add is parked in the feed's wait for room (a waiter on its condition), or (broken) went through.
    while not (feed._changed._waiters or added.is_set()):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the second add neither waited nor returned"
        time.sleep(0.01)
    assert not added.is_set()  # held back until the UI takes
    assert len(feed.take()[0]) == 1
    assert added.wait(2)
    assert feed.take()[0] == [LogChunk(0, b"y\n", 1)]


def pod(
    phase: str, state: dict[str, object], restart: str = "Always", deleting: bool = False, restarts: int = 0
) -> dict[str, object]:
    metadata: dict[str, object] = {"name": "p", "deletionTimestamp": "2026-11-29T10:00:00Z"} if deleting else {}
    status = {"name": "main", "state": state, "restartCount": restarts}
    return {
        "metadata": metadata,
        "spec": {"restartPolicy": restart},
        "status": {"phase": phase, "containerStatuses": [status]},
    }


def test_when_a_follow_stream_ends_the_pod_says_whether_more_will_come() -> None:
    assert end_verdict(None, "main") == "pod deleted"
    assert end_verdict(pod("Running", {"running": {}}), "main") is None
    done = {"terminated": {"reason": "Completed", "exitCode": 0}}
    assert end_verdict(pod("Succeeded", done), "main") == "container exited (Completed, exit code 0)"
    crashed = {"terminated": {"reason": "Error", "exitCode": 1}}
    assert end_verdict(pod("Running", crashed), "main") is None  # it will be restarted: resume
    assert end_verdict(pod("Running", crashed, restart="Never"), "main") == "container exited (Error, exit code 1)"
    assert end_verdict(pod("Running", crashed, deleting=True), "main") == "container exited (Error, exit code 1)"
    assert end_verdict(pod("Running", {"waiting": {"reason": "CrashLoopBackOff"}}), "main") is None


def test_a_container_that_exited_and_will_be_restarted_says_so_one_that_runs_does_not() -> None:
    assert restart_reason(pod("Running", {"running": {}}), "main") is None
    assert restart_reason(pod("Running", {"waiting": {"reason": "CrashLoopBackOff"}}), "main") == "CrashLoopBackOff"
    crashed = {"terminated": {"reason": "Error", "exitCode": 1}}
    assert restart_reason(pod("Running", crashed), "main") == "exited (Error, exit code 1)"
    assert restart_reason(None, "main") is None


def test_a_running_container_counts_as_a_new_run_only_when_it_started_in_a_later_second_than_the_last_line() -> None:
    last = timestamp_ns(b"2026-11-29T10:00:01.5Z")
    assert runs_a_newer_container(pod("Running", {"running": {"startedAt": "2026-11-29T10:00:03Z"}}), "main", last)
    assert not runs_a_newer_container(pod("Running", {"running": {"startedAt": "2026-11-29T10:00:01Z"}}), "main", last)
    assert not runs_a_newer_container(pod("Running", {"running": {"startedAt": "2026-11-29T09:59:00Z"}}), "main", last)
    assert not runs_a_newer_container(pod("Running", {"running": {}}), "main", last)
    assert not runs_a_newer_container(pod("Running", {"waiting": {"reason": "CrashLoopBackOff"}}), "main", last)
    assert not runs_a_newer_container(pod("Running", {"running": {"startedAt": "2026-11-29T10:00:03Z"}}), "main", None)
    assert not runs_a_newer_container(None, "main", last)


class ScriptedStream(LogStream):
    """A LogStream whose server is a script: the bodies its log requests get and the pods its end checks read."""

    def __init__(self, bodies: list[bytes], pods: list[dict[str, object]]) -> None:
        target = LogTarget("ns", "p", "main")
        super().__init__(None, target, 0, LogRange(None, None), api_client=lambda: None)  # type: ignore[arg-type]
        self.bodies, self.pods = bodies, pods
        self.queries: list[dict[str, str]] = []

    def _request(self, query: list[tuple[str, str]]) -> Any:
        self.queries.append(dict(query))
        if not self.bodies:
            self.stop()
            raise ConnectionError("script over")
        return io.BytesIO(self.bodies.pop(0))

    def _read_pod(self) -> dict[str, Any]:
        return self.pods.pop(0)  # an IndexError past the script: a failed look, which the stream resumes after

    def _close_client(self) -> None:
        pass


def test_a_container_restarted_before_the_stream_noticed_it_ended_is_marked_as_a_restart_not_a_gap() -> None:
    """The kubelet restarted the container before the ended stream read the pod: the pod says it runs, a run
    started after the last line. The resume then finds none of the old run's lines; that is the restart."""
    first = lines(("2026-11-29T10:00:00.1Z", "run 1 started"), ("2026-11-29T10:00:01.2Z", "diverged"))
    second = lines(("2026-11-29T10:00:03.1Z", "run 2 started"))
    running = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:00Z"}})
    running_again = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:03Z"}}, restarts=1)
    stream = ScriptedStream([first, second], [running, running_again])
    events = [e for e in stream.events() if not isinstance(e, (StreamConnected, StreamTrouble))]
    assert [type(e) for e in events] == [LogChunk, StreamRestarted, LogChunk], events
    assert isinstance(events[2], LogChunk) and events[2].data == second
    assert stream.queries[1]["sinceTime"] == "2026-11-29T10:00:01Z"


def test_a_pod_that_still_says_the_ended_run_goes_on_is_read_again_until_it_says_the_container_restarted() -> None:
    """Seen on the real node: the first run exited and the kubelet started the next within a second, while the pod
    still said the first one ran (count 0) when the stream ended. Resuming then would call the new run a gap."""
    first = lines(("2026-11-29T10:00:00.1Z", "run 1 started"), ("2026-11-29T10:00:01.2Z", "diverged"))
    second = lines(("2026-11-29T10:00:01.9Z", "run 2 started"))
    stale = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:00Z"}})
    running_again = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:01Z"}}, restarts=1)
    stream = ScriptedStream([first, second], [stale, stale, stale, running_again])
    events = [e for e in stream.events() if not isinstance(e, (StreamConnected, StreamTrouble))]
    assert [type(e) for e in events] == [LogChunk, StreamRestarted, LogChunk], events
    assert not stream.pods


def test_a_restart_in_the_same_second_as_the_last_line_is_told_by_the_restart_count() -> None:
    first = lines(("2026-11-29T10:00:00.1Z", "run 1 started"), ("2026-11-29T10:00:01.2Z", "diverged"))
    second = lines(("2026-11-29T10:00:01.9Z", "run 2 started"))
    running = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:00Z"}})
    running_again = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:01Z"}}, restarts=1)
    stream = ScriptedStream([first, second], [running, running_again])
    events = [e for e in stream.events() if not isinstance(e, (StreamConnected, StreamTrouble))]
    assert [type(e) for e in events] == [LogChunk, StreamRestarted, LogChunk], events


def test_a_stream_that_ends_while_the_same_run_goes_on_and_finds_lines_gone_says_so() -> None:
    first = lines(("2026-11-29T10:00:00.1Z", "a"), ("2026-11-29T10:00:01.2Z", "b"))
    rotated = lines(("2026-11-29T10:00:05.1Z", "c"))
    same_run = pod("Running", {"running": {"startedAt": "2026-11-29T10:00:00Z"}})
    stream = ScriptedStream([first, rotated], [same_run, same_run])
    events = [e for e in stream.events() if not isinstance(e, (StreamConnected, StreamTrouble))]
    assert [type(e) for e in events] == [LogChunk, StreamGap, LogChunk], events


def test_a_refused_request_is_waited_out_given_up_on_or_retried() -> None:
    assert classify_refusal(400, 'container "main" in pod "p" is waiting to start: ContainerCreating', False) == (
        "waiting"
    )
    assert classify_refusal(400, 'previous terminated container "main" in pod "p" not found', True) == "ended"
    assert classify_refusal(404, 'pods "p" not found', False) == "ended"
    assert classify_refusal(403, "forbidden", False) == "ended"
    assert classify_refusal(500, "dial tcp 10.0.0.1:10250: connect: connection refused", False) == "retry"


def test_ranges_the_user_can_type() -> None:
    assert parse_range("5m") == LogRange(None, 300)
    assert parse_range("2h") == LogRange(None, 7200)
    assert parse_range("5,000") == LogRange(5000)
    assert parse_range("all") == LogRange(None, None)
    assert parse_range("soon") is None
    assert parse_range("last 1,000 lines") == LogRange(1000)
    assert parse_range("last 250 lines", tail_lines=250) == LogRange(250)  # the configured tail's own choice
    assert list(since_choices(250)) == ["last 250 lines", "1m", "5m", "15m", "1h", "all"]
    assert LogRange(None, 5400).label == "since 90m" and LogRange(250).label == "last 250 lines"


def test_chunked_bodies_decode_however_the_reads_cut_them() -> None:
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (b"line 1\n", b"line 2\nline 3\n", b"x" * 300))
    body += b"0\r\n\r\n"
    for cut in (1, 2, 3, 7, 64, len(body)):
        decoder = ChunkedDecoder()
        decoded = b"".join(decoder.feed(body[i : i + cut]) for i in range(0, len(body), cut))
        assert decoded == b"line 1\nline 2\nline 3\n" + b"x" * 300, cut
        assert decoder.done


def test_a_socket_body_takes_what_arrived_in_one_read_after_what_the_response_had_buffered() -> None:
    ours, server = socket.socketpair()
    try:
        chunks = [b"%x\r\n%s\r\n" % (len(part), part) for part in (b"line 1\n", b"line 2\n", b"line 3\n")]
        early = io.BufferedReader(io.BytesIO(chunks[0]))  # what http.client read past the response's head
        body = SocketBody(early.read1, ours)
        server.sendall(chunks[1] + chunks[2])  # two chunks (a server's two flushes) waiting: one read takes both
        assert body.read() == b"line 1\nline 2\nline 3\n"
        server.sendall(b"0\r\n\r\n")
        assert body.read() == b""  # the body's end
    finally:
        ours.close()
        server.close()


def test_a_socket_body_cut_before_its_end_is_an_error_not_an_end() -> None:
    ours, server = socket.socketpair()
    try:
        body = SocketBody(io.BufferedReader(io.BytesIO(b"")).read1, ours)
        server.sendall(b"7\r\nline 1\n\r\n")
        assert body.read() == b"line 1\n"
        server.close()
        with pytest.raises(ConnectionResetError):
            body.read()
    finally:
        ours.close()
