"""The log view (the real widget, in a small app) draws hostile log lines as text in every look — plain, searched,
JSON, wrapped — with their colours; and of a very long line it reads and draws only the part on screen."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from tui.models.logs.match import LogMatcher
from tui.services.logs.history import LogHistory
from tui.widgets.log_view import LogView

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
STAMP = b"2026-11-29T10:00:00.000000000Z "
HOSTILE = [
    b"reset before \x1bc after",
    b"charset before \x1b)0\x0e after",
    b"bell before \x07 after",
    b"backspace before \x08\x08 after",
    b"cursor before \x1b[2J\x1b[H\x1b[5A after",
    b"hyperlink before \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ after",
    b"clipboard before \x1b]52;c;cm0gLXJmIH4=\x07 after",
    b"dcs before \x1bP1$r0m\x1b\\ after",
    "c1 before \u009b2J\u0085 after".encode(),
    b"utf8 before \xff\xfe after",
    b"cr before \r after",
    b"nul before \x00 after",
    b"del before \x7f after",
    b"colours before \x1b[31mred\x1b[0m \x1b[1;32mgreen\x1b[0m after",
    b'{"json": "before \\u001bc\\u009b2J\\u0007 after", "red": "\\u001b[31mred"}',
    b"ERROR level before \x1bc after",
]


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(id="logs")


class ReadCounting(LogHistory):
    """A history that counts the bytes of lines the view reads."""

    read = 0

    def line(self, index: int) -> bytes:
        data = super().line(index)
        self.read += len(data)
        return data

    def line_part(self, index: int, start: int, stop: int) -> bytes:
        data = super().line_part(index, start, stop)
        self.read += len(data)
        return data


def rows(view: LogView) -> list[Strip]:
    return [view.render_line(y) for y in range(view.size.height)]


def assert_drawn_as_text(view: LogView) -> None:
    drawn = rows(view)
    for strip in drawn:
        for segment in strip:
            assert not CONTROL.search(segment.text), f"a control character is drawn: {segment.text!r}"
    assert any("red" in strip.text for strip in drawn)


async def shown(pilot: Pilot[None], view: LogView, lines: list[bytes], labels: list[str] | None = None) -> None:
    history = LogHistory()
    history.append(0, b"".join(STAMP + line + b"\n" for line in lines))
    view.show(history, labels or [""])
    await pilot.pause()


async def test_hostile_lines_are_drawn_as_text_in_every_look_and_keep_their_colours() -> None:
    app = ViewApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(LogView)
        await shown(pilot, view, HOSTILE)
        assert_drawn_as_text(view)
        red = next(segment.style for segment in rows(view)[13] if segment.text == "red")
        assert red is not None and red.color is not None and red.color.number == 1

        view.search = LogMatcher("after")
        view.set_current(0)
        view.redraw()
        assert_drawn_as_text(view)
        hit = view.part_style("log-view--match").bgcolor
        assert [s.text for s in rows(view)[0] if s.style and s.style.bgcolor == hit] == ["after"]

        for look in ("timestamps", "pretty_json", "wrap"):
            setattr(view.look, look, True)
            view.redraw()
            await pilot.pause()
            assert_drawn_as_text(view)
        assert any('"json": "before \\u001bc\\x9b2J\\u0007 after",' in strip.text for strip in rows(view))


async def test_hostile_bytes_in_a_timestamp_or_a_label_are_drawn_as_text() -> None:
    app = ViewApp()
    async with app.run_test(size=(120, 10)) as pilot:
        view = app.query_one(LogView)
        history = LogHistory()
        history.append(0, b"2026\x1bc11 line without a real timestamp\n")
        view.look.timestamps = True
        view.show(history, ["a\x1b]52;c;eA==\x07", "b"])
        await pilot.pause()
        drawn = rows(view)
        assert drawn[0].text.startswith("a␛]52;c;eA==␇ 2026␛c11 line")
        assert not CONTROL.search("".join(strip.text for strip in drawn))


def long_line(size: int) -> bytes:
    half = b"0123456789abcdef" * (size // 32)
    return b"start-" + half + b" needle in the middle " + half + b" end of the long line"


async def test_of_a_10_mb_line_only_the_part_on_screen_is_read_and_drawn() -> None:
    app = ViewApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        history = ReadCounting(window_bytes=1024 * 1024)
        line = long_line(10 * 1024 * 1024)
        history.append(0, STAMP + b"before\n" + STAMP + line + b"\n" + STAMP + b"after\n")
        while history.spilled_bytes == 0:  # the line is read from the temporary file
            await pilot.pause(0.05)
        view.show(history, [""])
        await pilot.pause()
        history.read = 0
        assert [strip.text.rstrip() for strip in rows(view)[:3]] == ["before", line[:100].decode(), "after"]

        middle = line.index(b"needle")
        view.scroll_to(x=middle, animate=False)
        await pilot.pause()
        assert rows(view)[1].text == line[middle : middle + 100].decode()

        view.scroll_to(x=view.max_scroll_x, animate=False)  # the end of the line, blank beyond
        await pilot.pause()
        assert rows(view)[1].text.rstrip().endswith("end of the long line")

        view.look.wrap = True  # wrapped and following: the last rows of the line above the last line
        view.redraw()
        await pilot.pause()
        wrapped = [strip.text.rstrip() for strip in rows(view)]
        assert wrapped[-1] == "after" and " ".join(wrapped[-3:-1]).endswith("end of the long line")
        assert len(wrapped) == view.size.height and all(wrapped)

        view.action_top()  # from the top: the line's first rows below the first line
        await pilot.pause()
        wrapped = [strip.text.rstrip() for strip in rows(view)]
        width = view.scrollable_content_region.width  # (less the scrollbar, now that the view is paused)
        assert wrapped[:3] == ["before", line[:width].decode(), line[width : 2 * width].decode()]

        view.look.wrap = False
        view.search = LogMatcher("needle")
        view.redraw()
        view.scroll_to(x=middle - 10, animate=False)
        await pilot.pause()
        hit = view.part_style("log-view--match").bgcolor
        assert [s.text for s in rows(view)[1] if s.style and s.style.bgcolor == hit] == ["needle"]
        assert history.read < 1024 * 1024  # a few windows of the line, never the line


async def test_a_long_line_keeps_its_colours_where_it_is_scrolled_to_and_json_stays_one_line() -> None:
    app = ViewApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        stretch = b"\x1b[32m" + b"green " * 300 + b"\x1b[0m" + b"plain " * 300
        coloured = stretch * 100
        document = b'{"values": [' + b"1, " * 300_000 + b"2]}"
        await shown(pilot, view, [coloured, document])

        def colours() -> set[int | None]:
            return {s.style.color.number if s.style and s.style.color else None for s in rows(view)[0] if s.text}

        green = 50 * len(stretch) + len(b"\x1b[32m") + 900
        view.scroll_to(x=green, animate=False)
        await pilot.pause()
        assert "green green" in rows(view)[0].text and colours() == {2}  # green set before the screen
        view.scroll_to(x=green + 900 + len(b"\x1b[0m") + 600, animate=False)
        await pilot.pause()
        assert "plain plain" in rows(view)[0].text and 2 not in colours()

        view.look.pretty_json = True  # a line this long is shown as it is, not spread over a million rows
        view.redraw()
        view.scroll_to(x=0, animate=False)
        await pilot.pause()
        assert [strip.text.rstrip() for strip in rows(view)[:2]] == [
            (b"green " * 20).decode()[:100].rstrip(),
            document[:100].decode().rstrip(),
        ]
