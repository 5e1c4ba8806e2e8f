"""The log history keeps every line with bounded memory: recent lines in memory, older ones in a temp file."""

from __future__ import annotations

import time

from tui.models.logs.match import LogMatcher
from tui.services.logs.history import MARKER_SOURCE, LogHistory


def block(first: int, last: int, word: str = "step") -> bytes:
    return b"".join(b"2026-11-29T10:00:00.%09dZ %s %d\n" % (i, word.encode(), i) for i in range(first, last))


def test_a_long_history_spills_to_disk_and_every_line_reads_back() -> None:
    history = LogHistory(window_bytes=16 * 1024)
    for start in range(0, 20_000, 1000):
        history.append(start % 3, block(start, start + 1000))
    deadline = time.monotonic() + 10
    while history.spilled_bytes < history.total_bytes - history.window_bytes:
        assert time.monotonic() < deadline, "the spill never caught up"
        time.sleep(0.01)

    assert len(history) == 20_000
    assert history.spilled_bytes > 0.9 * history.total_bytes  # most of it is on disk now
    assert history.memory_bytes() < history.window_bytes + 20_000 * 10 + 64  # window + 10 bytes a line
    assert history.line(0) == b"2026-11-29T10:00:00.000000000Z step 0"
    assert history.line(19_999).endswith(b" step 19999")
    assert history.source(1000) == 1 and history.source(2000) == 2
    # a range that starts on disk and ends in memory
    middle = history.lines(19_000 - 5, 20_000)
    assert [int(line.rsplit(b" ", 1)[1]) for line in middle] == list(range(18_995, 20_000))
    everything = [line for _, line in history.iter_lines()]
    assert [int(line.rsplit(b" ", 1)[1]) for line in everything] == list(range(20_000))
    history.close()


def test_search_finds_every_matching_line_on_disk_and_in_memory() -> None:
    history = LogHistory(window_bytes=8 * 1024)
    history.append(0, block(0, 3000))
    history.append(0, b"2026-11-29T10:00:01.000000000Z step 3000 checkpoint saved\n")
    history.append(0, block(3001, 6000))
    history.append(0, b"2026-11-29T10:00:02.000000000Z checkpoint saved again\n")
    matcher = LogMatcher("checkpoint")
    found = [index for _, block_found in history.find(matcher) for index in block_found]
    assert found == [3000, 6000]
    assert [line for _, line in history.iter_lines(found)] == [history.line(3000), history.line(6000)]
    history.close()


def test_a_search_does_not_match_the_timestamp_or_colour_codes() -> None:
    history = LogHistory()
    history.append(0, b"2026-11-29T10:00:00.000000000Z \x1b[31mred\x1b[0m alert\n")
    history.append(0, b"2026-11-29T10:00:01.000000000Z plain 2026 report\n")
    found = lambda text: [i for _, f in history.find(LogMatcher(text)) for i in f]  # noqa: E731
    assert found("2026") == [1]  # the timestamp of line 0 does not count
    assert found("31m") == []  # nor do colour escapes
    assert found("red alert") == [0]  # matched as the user reads it
    history.close()


def test_lines_of_one_batch_keep_their_source_and_markers_are_told_apart() -> None:
    history = LogHistory()
    history.append(4, block(0, 3))
    history.append_marker(b"2026-11-29T10:00:00.000000003Z", "lines may be missing here")
    assert [history.source(i) for i in range(4)] == [4, 4, 4, MARKER_SOURCE]
    assert history.line(3) == b"2026-11-29T10:00:00.000000003Z lines may be missing here"
    assert history.longest == len(history.line(3))
    history.close()
