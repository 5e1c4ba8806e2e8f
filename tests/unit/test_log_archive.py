"""A run's archived log: lines read back byte for byte, without their timestamps; a crash's torn member costs only
its own lines; hostile bytes are kept as they came."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tui.services.runs import log_archive
from tui.services.runs.log_archive import (
    ArchiveAppender,
    ArchiveBusy,
    archived_blocks,
    read_archived,
    scan_archive,
    strip_timestamp,
)


def stamp(i: int) -> bytes:
    return b"2026-12-07T10:00:%02d.%09dZ" % (i // 1000 % 60, i % 1000 * 1000)


def timestamped(lines: list[bytes], start: int = 0) -> bytes:
    return b"".join(stamp(start + i) + b" " + line + b"\n" for i, line in enumerate(lines))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_read_back_byte_identical_without_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    lines = [b"epoch %d loss 0.%d" % (i, i) for i in range(2500)]
    appender = ArchiveAppender(path)
    appender.append(timestamped(lines[:1000]))
    appender.flush()
    appender.append(timestamped(lines[1000:], 1000))
    appender.close()
    assert b"".join(read_archived(path)) == b"".join(line + b"\n" for line in lines)
    assert gzip.decompress(path.read_bytes()) == timestamped(lines)  # one gzip file: zcat reads it whole
    scan = scan_archive(path)
    assert (scan.lines, scan.torn, scan.last_token) == (2500, False, stamp(2499))


def test_lines_wait_for_the_flush_timer_or_a_full_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_archive, "FLUSH_LINES", 10)
    clock = Clock()
    path = tmp_path / "main.log.gz"
    appender = ArchiveAppender(path, clock=clock)
    appender.append(timestamped([b"one", b"two"]))
    assert not appender.flush_due() and list(read_archived(path)) == []  # not yet a second old
    clock.now += log_archive.FLUSH_S
    assert appender.flush_due() and list(read_archived(path)) == [b"one\n", b"two\n"]
    appender.append(timestamped([b"x%d" % i for i in range(10)], 2))  # a full batch is written at once
    assert len(list(read_archived(path))) == 12 and appender.lines == 12
    assert appender.last_time == stamp(11).decode()
    appender.close()


def test_a_member_torn_by_a_crash_is_left_out_and_cut_off_by_the_next_appender(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    appender = ArchiveAppender(path)
    appender.append(timestamped([b"kept 1", b"kept 2"]))
    appender.close()
    whole = path.stat().st_size
    member = gzip.compress(timestamped([b"torn 3", b"torn 4"], 2))
    with path.open("ab") as out:
        out.write(member[: len(member) // 2])  # the process died in the middle of this write
    assert list(read_archived(path)) == [b"kept 1\n", b"kept 2\n"]  # what is whole, and no exception
    scan = scan_archive(path)
    assert scan.torn and scan.whole_bytes == whole and scan.lines == 2 and scan.last_token == stamp(1)

    appender = ArchiveAppender(path)  # the resume: from the last whole line
    assert path.stat().st_size == whole
    appender.append(timestamped([b"again 3", b"again 4"], 2))
    appender.close()
    assert list(read_archived(path)) == [b"kept 1\n", b"kept 2\n", b"again 3\n", b"again 4\n"]


def test_bytes_that_are_no_gzip_end_the_reading_quietly(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    path.write_bytes(gzip.compress(timestamped([b"good"])) + b"\x1f\x8b\x08garbage that is not deflate")
    assert list(read_archived(path)) == [b"good\n"]
    assert scan_archive(path).torn
    assert list(read_archived(tmp_path / "missing.log.gz")) == []


def test_hostile_bytes_are_stored_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    hostile = [
        b"\x1b[31mred\x1b[0m \x1b]52;c;cGF5bG9hZA==\x07",
        b"nul\x00inside",
        b"invalid utf-8 \xff\xfe\xc3\x28",
        b"carriage\rreturn in the middle",
        b"[bold]markup[/bold]",
        b"",
    ]
    appender = ArchiveAppender(path)
    appender.append(timestamped(hostile))
    appender.close()
    assert list(read_archived(path)) == [line + b"\n" for line in hostile]


def test_a_gigantic_line_is_kept_whole_and_written_at_once(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    appender = ArchiveAppender(path)
    big = b"x" * (3 * log_archive.FLUSH_BYTES)
    appender.append(stamp(0) + b" " + big)  # the stream hands at most MAX_PENDING_LINE without a newline
    appender.append(timestamped([b"after"], 1))
    appender.close()
    assert list(read_archived(path)) == [big + b"\n", b"after\n"]
    assert [len(block) for block, _ in archived_blocks(path)] == [len(stamp(0)) + 1 + len(big) + 1, 37]


def test_timestamps_are_stripped_only_where_there_is_one() -> None:
    assert strip_timestamp(b"2026-12-07T10:00:00.123456789Z hello\n") == b"hello\n"
    assert strip_timestamp(b"2026-12-07T10:00:00+01:00 offset\n") == b"offset\n"
    assert strip_timestamp(b"no stamp here\n") == b"no stamp here\n"
    assert strip_timestamp(b"2026-12-07T10:00:00.1Z \n") == b"\n"


def test_the_resume_point_counts_the_lines_of_the_last_timestamp_across_flushes(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    same = stamp(7)
    appender = ArchiveAppender(path)
    appender.append(timestamped([b"a", b"b"]) + same + b" c\n")
    appender.flush()
    appender.append(same + b" d\n" + same + b" e\n")
    appender.close()
    scan = scan_archive(path)
    assert (scan.last_token, scan.last_run, scan.lines) == (same, 3, 5)


def test_a_second_appender_of_the_same_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    first = ArchiveAppender(path)
    with pytest.raises(ArchiveBusy):
        ArchiveAppender(path)
    first.close()
    ArchiveAppender(path).close()


def test_a_reader_goes_on_from_where_it_stopped_and_never_sees_a_member_being_written(tmp_path: Path) -> None:
    path = tmp_path / "main.log.gz"
    appender = ArchiveAppender(path)
    appender.append(timestamped([b"first"]))
    appender.flush()
    [(block, end)] = list(archived_blocks(path))
    assert block == timestamped([b"first"])
    appender.append(timestamped([b"second"], 1))
    appender.flush()
    member = gzip.compress(timestamped([b"third"], 2))
    with path.open("ab") as out:
        out.write(member[:10])  # a write not finished yet
    assert [block for block, _ in archived_blocks(path, end)] == [timestamped([b"second"], 1)]
    appender.close()
