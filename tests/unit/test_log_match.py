"""Search and filter patterns: text or regex, smart case, on what the user reads; hit sets that grow while scanning."""

from __future__ import annotations

import re

import pytest

from tui.models.logs.match import LineSet, LogMatcher, log_level, plain_message, split_line

LINE = b"2026-11-29T10:00:00.123456789Z \x1b[1;31mERROR\x1b[0m loss=nan at step 12 (lr=0.1)"


def test_a_line_splits_into_its_timestamp_and_what_the_user_reads() -> None:
    assert split_line(LINE)[0] == b"2026-11-29T10:00:00.123456789Z"
    assert plain_message(LINE) == b"ERROR loss=nan at step 12 (lr=0.1)"
    assert split_line(b"no timestamp here") == (b"", b"no timestamp here")


def test_text_is_matched_literally_and_case_insensitively_unless_it_has_capitals() -> None:
    assert LogMatcher("error").matches(LINE)
    assert LogMatcher("ERROR").matches(LINE)
    assert not LogMatcher("Error").matches(LINE)  # a capital: case matters
    assert LogMatcher("(lr=0.1)").matches(LINE)  # parentheses and dots are plain text
    assert not LogMatcher("lr=0.1)").matches(b"2026-11-29T10:00:00Z lr=031)")


def test_a_regex_is_a_regex_and_a_broken_one_says_why() -> None:
    assert LogMatcher(r"step \d+ \(lr=0\.\d\)", regex=True).matches(LINE)
    assert not LogMatcher(r"^loss", regex=True).matches(LINE)
    assert LogMatcher(r"^error", regex=True).matches(LINE)  # ^ is the start of the message, not of the timestamp
    with pytest.raises(re.error):
        LogMatcher("step (", regex=True)


def test_highlight_spans_are_in_the_drawn_text() -> None:
    assert LogMatcher("o").spans("loss on top") == [(1, 2), (5, 6), (9, 10)]


def test_hits_found_by_a_running_scan_and_by_new_lines_form_one_sorted_set() -> None:
    hits = LineSet(split=1000)  # the scan covers lines 0..999; new lines are checked as they come
    hits.add_new([1003, 1500])
    hits.add_scanned([10, 20], scanned=500)
    assert not hits.done and list(hits.lines()) == [10, 20, 1003, 1500]
    hits.add_scanned([900], scanned=1000)
    hits.finish()
    assert hits.done and len(hits) == 5
    assert hits.after(20) == 900 and hits.before(900) == 20 and hits.after(1500) is None and hits.before(10) is None
    assert hits.position(1003) == 4


@pytest.mark.parametrize(
    ("message", "word", "level"),
    [
        ("ERROR disk full", "ERROR", "error"),
        ("2026-11-29 10:00:00 WARNING:root:low memory", "WARNING", "warning"),
        ("time=1 level=debug msg=tick", "debug", "debug"),
        ('{"level": "info", "msg": "ready"}', "info", "info"),
        ("E1129 10:00:00.123456       1 main.go:10] boom", "E1129", "error"),
        ("panic: FATAL runtime error", "FATAL", "error"),
    ],
)
def test_the_word_that_says_a_lines_level_is_found(message: str, word: str, level: str) -> None:
    found = log_level(message)
    assert found is not None
    start, end, name = found
    assert (message[start:end], name) == (word, level)


def test_words_that_only_contain_a_level_are_not_levels() -> None:
    assert log_level("information retrieval done") is None
    assert log_level("Error rates are low") is None  # not upper case, not a level field
    assert log_level("x" * 200 + " ERROR") is None  # only the start of a line says its level
