"""The Logs screen's session, without the UI: when several sources' lines are held back to be merged, how much one UI
turn takes in a flood, what each source's state says, and when new lines are redrawn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    StreamConnected,
    StreamEnded,
    StreamEvent,
    StreamGap,
    StreamRestarted,
    StreamTrouble,
    StreamWaiting,
)
from tui.services.kube.kube import KubeService
from tui.services.logs import session as session_module
from tui.services.logs.containers import PodContainers
from tui.services.logs.feed import LogFeed
from tui.services.logs.history import MARKER_SOURCE
from tui.services.logs.session import (
    ALL_CONTAINERS,
    FIRST_MERGE_S,
    FLOOD_LINES,
    FLOOD_SHOW_INTERVAL_S,
    MERGE_WINDOW_S,
    SHOW_INTERVAL_S,
    TAKE_BYTES,
    LogSession,
    log_targets,
)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeKube:
    """Only what the session asks of the cluster service outside a stream: the namespace and how to word a failure."""

    namespace = "ml"

    def explain(self, exc: Exception) -> str:
        return f"explained: {exc}"


class FakePods:
    """The pod look-ups the session makes, answered from a dict (or failing)."""

    def __init__(self, pods: dict[str, PodContainers], selected: list[PodContainers] | Exception) -> None:
        self.pods = pods
        self.selected = selected

    def select(self, namespace: str, selector: str) -> list[PodContainers]:
        if isinstance(self.selected, Exception):
            raise self.selected
        return self.selected

    def containers(self, namespace: str, name: str) -> PodContainers:
        if name not in self.pods:
            raise LookupError(f"pods {name!r} not found")
        return self.pods[name]


def line(ns: int, text: str) -> bytes:
    return b"2026-11-29T10:00:00.%09dZ %s\n" % (ns, text.encode())


def chunk(source: int, *lines: bytes) -> LogChunk:
    return LogChunk(source, b"".join(lines), len(lines))


@pytest.fixture(autouse=True)
def no_gc_freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a log freezes the app's objects for the garbage collector: not the test runner's."""
    monkeypatch.setattr(session_module, "freeze_long_lived", lambda: None)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(clock: Clock) -> Iterator[LogSession]:
    session = LogSession(cast(KubeService, FakeKube()), clock=clock)
    yield session
    session.stop()


def follow(session: LogSession, *labels: str) -> LogFeed:
    """Start following one container per label; the streams are made but never run."""
    targets = [(LogTarget("ml", "train", label), label) for label in labels]
    followed = session.start(targets, LogRange(), previous=False)
    assert len(followed) == len(labels)
    return followed[0][1]


def shown_lines(session: LogSession) -> list[str]:
    history = session.history
    assert history is not None
    return [text.decode().split(" ", 1)[1] for text in history.lines(0, len(history))]


# ---------------------------------------------------------------- merge waiting


def test_a_single_container_is_shown_at_once_with_nothing_held_back(session: LogSession, clock: Clock) -> None:
    feed = follow(session, "main")
    feed.add(chunk(0, line(1, "hello")))
    feed.pending_since = clock.now  # the lines just came: several sources would be held for the merge window
    assert session.merge_wait(feed) == 0.0


def test_several_containers_wait_briefly_at_the_start_for_each_to_send_something(
    session: LogSession, clock: Clock
) -> None:
    feed = follow(session, "main", "sidecar")
    feed.add(chunk(0, line(1, "from main")))
    assert session.merge_wait(feed) == pytest.approx(0.1)  # asked again shortly, not after the whole start window
    clock.now += FIRST_MERGE_S - 0.04
    assert session.merge_wait(feed) == pytest.approx(0.04)
    clock.now += 0.05
    assert session.merge_wait(feed) == 0.0  # a container that stays silent does not hold the others back forever


def test_once_every_container_has_spoken_lines_are_held_only_for_the_merge_window(
    session: LogSession, clock: Clock
) -> None:
    feed = follow(session, "main", "sidecar")
    feed.add(chunk(0, line(1, "from main")))
    feed.add(chunk(1, line(2, "from sidecar")))
    feed.pending_since = clock.now
    assert session.merge_wait(feed) == pytest.approx(MERGE_WINDOW_S)
    clock.now += MERGE_WINDOW_S
    assert session.merge_wait(feed) == 0.0


def test_after_the_first_batch_a_silent_container_no_longer_delays_the_start_window(
    session: LogSession, clock: Clock
) -> None:
    feed = follow(session, "main", "sidecar")
    feed.add(chunk(0, line(1, "first")))
    session.take(feed)
    feed.add(chunk(0, line(2, "second")))
    feed.pending_since = clock.now
    assert session.merge_wait(feed) == pytest.approx(MERGE_WINDOW_S)  # not the 0.1 s steps of the start


def test_held_back_lines_ask_for_one_timer_until_it_has_run(session: LogSession) -> None:
    assert session.plan_merge() is True
    assert session.plan_merge() is False  # more batches while waiting: no second timer
    session.merge_due()
    assert session.plan_merge() is True


def test_lines_of_two_containers_that_arrive_out_of_order_are_shown_in_time_order(session: LogSession) -> None:
    feed = follow(session, "main", "sidecar")
    feed.add(chunk(0, line(1, "main 1"), line(3, "main 3")))
    feed.add(chunk(1, line(2, "sidecar 2"), line(4, "sidecar 4")))
    session.take(feed)
    assert shown_lines(session) == ["main 1", "sidecar 2", "main 3", "sidecar 4"]
    history = session.history
    assert history is not None and [history.source(i) for i in range(4)] == [0, 1, 0, 1]


# ---------------------------------------------------------------- take limits


def test_a_flood_is_taken_a_slice_per_turn_and_no_line_is_lost(session: LogSession) -> None:
    feed = follow(session, "main")
    line_bytes = len(line(0, "x" * 990))
    per_chunk = 64
    chunks = 3 * TAKE_BYTES // (line_bytes * per_chunk) + 1
    for c in range(chunks):
        feed.add(chunk(0, *(line(c * per_chunk + i, "x" * 990) for i in range(per_chunk))))
    total = chunks * per_chunk

    turns: list[tuple[int, int, bool]] = []
    more = True
    while more:
        turns.append(session.take(feed))
        more = turns[-1][2]

    assert len(turns) >= 3  # several turns, not one that appends everything
    for _, added, _ in turns[:-1]:
        assert added * line_bytes < 2 * TAKE_BYTES
        assert added > 0
    firsts = [first for first, _, _ in turns]
    assert firsts == [sum(added for _, added, _ in turns[:i]) for i in range(len(turns))]  # each turn goes on
    history = session.history
    assert history is not None and len(history) == sum(added for _, added, _ in turns) == total


def test_taking_from_an_empty_feed_adds_nothing(session: LogSession) -> None:
    feed = follow(session, "main")
    assert session.take(feed) == (0, 0, False)


# ---------------------------------------------------------------- state tracking


def test_each_containers_state_follows_what_its_stream_reports(session: LogSession) -> None:
    feed = follow(session, "main", "sidecar")
    assert [s.state for s in session.sources] == ["connecting", "connecting"]
    session.apply([StreamWaiting(0, "PodInitializing", 2.0), StreamTrouble(1, "connection refused", 0.5)])
    main, sidecar = session.sources
    assert (main.state, main.reason) == ("waiting", "PodInitializing (asking again in 2s)")
    assert (sidecar.state, sidecar.reason) == ("reconnecting", "connection refused (retrying in 0.5s)")
    assert session.status == "reconnecting: sidecar: connection refused (retrying in 0.5s)"

    session.apply([chunk(0, line(1, "up")), StreamConnected(1)])
    assert (main.state, main.reason, main.lines) == ("live", "", 1)
    assert (sidecar.state, sidecar.reason) == ("live", "")
    assert session.status == "live"

    session.apply([StreamEnded(1, "container exited (Completed, exit code 0)")])
    assert sidecar.state == "ended"
    assert session.status == "live (1 ended)"
    assert feed is session.feed


def test_a_stream_that_ends_after_its_last_lines_leaves_the_container_ended(session: LogSession) -> None:
    follow(session, "main")
    session.apply([StreamEnded(0, "pod deleted"), chunk(0, line(1, "last words"))])
    assert session.sources[0].state == "ended"  # the lines of a batch come first, its state changes after
    assert session.status == "stream ended: pod deleted"


def test_a_gap_and_a_restart_are_marked_where_they_happened_with_the_last_lines_time(session: LogSession) -> None:
    follow(session, "main")
    session.apply([chunk(0, line(7, "before")), StreamGap(0, "lines may be missing here")])
    session.apply([StreamRestarted(0), chunk(0, line(9, "after"))])
    history = session.history
    assert history is not None
    assert shown_lines(session) == [
        "before",
        "⚠ main: lines may be missing here",
        "↻ main: the container restarted",
        "after",
    ]
    assert history.line(1).startswith(line(7, "")[:30]) and history.source(1) == MARKER_SOURCE
    assert history.line(2).startswith(line(7, "")[:30])
    assert session.gaps == 1
    assert session.last_timestamp() == line(9, "")[:30]


def test_events_of_an_unknown_source_are_ignored(session: LogSession) -> None:
    follow(session, "main")
    stray: list[StreamEvent] = [chunk(5, line(1, "not ours")), StreamTrouble(5, "gone", 1.0)]
    session.apply(stray)
    assert shown_lines(session) == []
    assert session.sources[0].state == "connecting"


def test_starting_again_closes_the_old_log_and_begins_an_empty_one(session: LogSession) -> None:
    old_feed = follow(session, "main")
    old_feed.add(chunk(0, line(1, "old")))
    session.take(old_feed)
    old_history = session.history
    new_feed = follow(session, "main", "sidecar")
    assert new_feed is not old_feed and session.history is not old_history
    assert old_feed.add(chunk(0, line(2, "late"))) is False  # a stream still running drops into nothing
    assert shown_lines(session) == [] and len(session.streams) == 2
    session.stop()
    assert session.feed is None and session.history is None and session.streams == []


# ---------------------------------------------------------------- when to redraw


def test_new_lines_are_redrawn_at_once_then_no_more_often_than_the_show_interval(
    session: LogSession, clock: Clock
) -> None:
    wait = session.show_wait()
    assert wait is not None and wait <= 0  # the first lines: at once
    session.shown()
    clock.now += 0.01
    assert session.show_wait() == pytest.approx(SHOW_INTERVAL_S - 0.01)
    assert session.show_wait() is None  # a redraw is planned: no second timer
    clock.now += SHOW_INTERVAL_S
    session.shown()
    clock.now += SHOW_INTERVAL_S
    assert session.show_wait() == pytest.approx(0.0)


def test_a_flood_is_redrawn_less_often(session: LogSession, clock: Clock) -> None:
    feed = follow(session, "main")
    session.shown()
    feed.add(chunk(0, *(line(i, "flood") for i in range(FLOOD_LINES + 1))))
    session.take(feed)
    session.shown()  # a frame that brought a flood: the next one waits longer
    assert session.show_wait() == pytest.approx(FLOOD_SHOW_INTERVAL_S)
    clock.now += FLOOD_SHOW_INTERVAL_S
    session.frame_due()
    feed.add(chunk(0, line(FLOOD_LINES + 1, "calm again")))
    session.take(feed)
    session.shown()
    assert session.show_wait() == pytest.approx(SHOW_INTERVAL_S)


def test_a_planned_frame_takes_the_lines_that_come_before_it(session: LogSession, clock: Clock) -> None:
    """The UI thread is woken for new lines once a frame: lines that come while a frame is planned wait in the feed
    for it, and its timer running out makes it due."""
    feed = follow(session, "main")
    session.shown()
    clock.now += 0.01
    assert feed.add(chunk(0, line(1, "first")))  # the feed asks for the UI
    assert session.show_wait() == pytest.approx(SHOW_INTERVAL_S - 0.01)  # not yet: a frame is planned
    assert not feed.add(chunk(0, line(2, "second")))  # no second wake-up meanwhile
    assert session.show_wait() is None  # the planned frame will take them
    clock.now += SHOW_INTERVAL_S
    session.frame_due()
    wait = session.show_wait()
    assert wait is not None and wait <= 0
    assert session.take(feed) == (0, 2, False)
    assert shown_lines(session) == ["first", "second"]


# ---------------------------------------------------------------- what to follow


def test_one_pods_default_container_needs_no_prefix() -> None:
    pod = PodContainers("ml", "train", ("init", "main", "sidecar"), "main")
    assert log_targets([pod], None) == [(LogTarget("ml", "train", "main"), "")]


def test_all_containers_of_one_pod_are_prefixed_with_the_container() -> None:
    pod = PodContainers("ml", "train", ("main", "sidecar"), "main")
    labels = [label for _, label in log_targets([pod], ALL_CONTAINERS)]
    assert labels == ["main", "sidecar"]


def test_a_chosen_container_is_followed_where_it_exists_and_the_default_elsewhere() -> None:
    web = PodContainers("ml", "web", ("main", "sidecar"), "main")
    db = PodContainers("ml", "db", ("postgres",), "postgres")
    targets = log_targets([web, db], "sidecar")
    assert targets == [
        (LogTarget("ml", "web", "sidecar"), "web/sidecar"),
        (LogTarget("ml", "db", "postgres"), "db/postgres"),
    ]


def test_several_pods_of_one_container_name_are_prefixed_with_the_pod_only() -> None:
    pods = [PodContainers("ml", name, ("main",), "main") for name in ("worker-0", "worker-1")]
    assert [label for _, label in log_targets(pods, None)] == ["worker-0", "worker-1"]


def test_pods_that_cannot_be_read_and_a_selector_that_picks_none_are_each_reported(session: LogSession) -> None:
    train = PodContainers("ml", "train", ("main",), "main")
    session.pods_service = FakePods({"train": train}, [])  # type: ignore[assignment]
    pods, problems = session.find_pods([("ml", "train"), ("ml", "gone")], "app=none")
    assert pods == [train]
    assert problems == ["no pod matches -l app=none", "ml/gone: explained: pods 'gone' not found"]


def test_the_pod_picker_says_why_it_has_no_pods_to_offer(session: LogSession) -> None:
    session.pods_service = FakePods({}, PermissionError("forbidden"))  # type: ignore[assignment]
    assert session.pod_names() == ([], "cannot list pods (explained: forbidden); type a name")
    session.pods_service = FakePods({}, [PodContainers("ml", "train", ("main",), "main")])  # type: ignore[assignment]
    assert session.pod_names() == (["train"], "")
