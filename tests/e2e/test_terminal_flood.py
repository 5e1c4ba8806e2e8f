"""A shell flooded with output still answers: ctrl+] takes the keys back during the flood, a character typed is
drawn while the flood goes on (jump scroll would otherwise carry its echo away unseen; the lines that would only
scroll past are left out, so it does not wait behind megabytes), and the output is fed in slices of at most
FEED_SLICE bytes, a key's turn between two; all of it is read.

Keys during the flood are handed to the app as a terminal's input thread hands them: Pilot.press (and
pilot.pause) would wait for the process to be idle and paint frames of their own. A kwok pod: its exec'd shell
runs on this machine in a temporary folder.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.strip import Strip

from tests.e2e.test_terminal import open_from_pod_list, until_line, until_prompt
from tests.support.app import SIZE, make_app
from tests.support.pods import kwok_shell_pod
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.terminal import terminal as terminal_module
from tui.screens.terminal.terminal import FEED_SLICE

FLOOD_BYTES = 16 << 20
TIMES = 3


def lowercase_lines(path: Path, size: int) -> int:
    """Numbered lines of lowercase words (no capital letter: a typed one can only be the echo)."""
    line = "{:08d} alpha beta gamma delta epoch loss accuracy tensor gradient batch\n"
    count = size // len(line.format(0))
    path.write_text("".join(line.format(i) for i in range(count)))
    return path.stat().st_size


def key(app: K8sxApp, name: str) -> None:
    """A key as the terminal's input thread gives it to the app."""
    event = events.Key(name, name if len(name) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def until(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_a_key_typed_into_a_flood_is_drawn_during_it_and_ctrl_bracket_answers(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    home = kwok_shell_pod(stack, namespace, tmp_path)
    size = lowercase_lines(home / "flood.txt", FLOOD_BYTES)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        view, emulator = tab.view, tab.emulator
        assert view is not None
        feeds: list[int] = []
        drawn_at: list[int] = []  # output read and taken (fed or left out) when a row with the typed Q was drawn
        feed, render_line = emulator.feed, view.render_line

        def counted_feed(data: bytes) -> None:
            feeds.append(len(data))
            feed(data)

        def watched_render_line(y: int) -> Strip:
            strip = render_line(y)
            if not drawn_at and "Q" in strip.text:
                drawn_at.append(tab.output.start)
            return strip

        emulator.feed = counted_feed  # type: ignore[method-assign]
        view.render_line = watched_render_line  # type: ignore[method-assign]

        await pilot.press(*f"cat {' '.join(['flood.txt'] * TIMES)}; echo flood-over-$((6*7))")
        output = tab.output  # its offsets count the output read: taken and fed, or left out unseen
        started, flood = output.start, size * TIMES  # read in all: more (each LF comes as CR LF)
        feeds.clear()
        key(app, "enter")
        await until(lambda: output.start - started > 2 << 20, "the flood under way")

        key(app, "ctrl+right_square_bracket")
        await until(lambda: not view.has_focus, "the keys back to the app")
        assert output.start - started < flood, "ctrl+] took effect only once the flood had ended"

        view.focus()
        await until(lambda: view.has_focus, "the keys to the shell again")
        key(app, "Q")
        await until(lambda: bool(drawn_at), "Q drawn")
        assert drawn_at[0] - started < flood, "the typed Q was drawn only once the flood had ended"

        await until_line(pilot, tab, "flood-over-42", timeout=180)
        assert output.start - started > flood  # all of it was read (most of it left out unseen)
        assert max(feeds) <= FEED_SLICE, f"fed {max(feeds)} bytes at once"


async def test_while_a_typed_characters_echo_waits_to_be_shown_the_reader_goes_on(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    """The UI is held from taking any output (as a slow frame would) while a Q typed into a flood waits in the
    buffer: what follows its echo and would only scroll past is left out, so the reader keeps reading (were it to
    wait, the connection's buffers would fill and the next key's echo would wait behind them). Then the Q is drawn,
    and the screen ends as the flood left it."""
    home = kwok_shell_pod(stack, namespace, tmp_path)
    size = lowercase_lines(home / "flood.txt", FLOOD_BYTES)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        view, output = tab.view, tab.output
        assert view is not None
        drawn: list[bool] = []
        render_line = view.render_line

        def watched_render_line(y: int) -> Strip:
            strip = render_line(y)
            if "Q" in strip.text:
                drawn.append(True)
            return strip

        view.render_line = watched_render_line  # type: ignore[method-assign]
        await pilot.press(*f"cat {' '.join(['flood.txt'] * TIMES)}; echo flood-over-$((6*7))")
        started = output.start
        key(app, "enter")
        await until(lambda: output.start - started > 2 << 20, "the flood under way")

        held = True
        take = output.take

        def held_take(limit: int | None = None) -> bytes:
            return b"" if held else take(limit)

        output.take = held_take  # type: ignore[method-assign]
        typed_at = output.end
        key(app, "Q")
        await until(lambda: output.end - typed_at > 16 << 20, "the reader going on while the echo waits", 60)
        assert not drawn and output.left_out > 8 << 20
        held = False
        await until(lambda: bool(drawn), "Q drawn")
        assert output.start - started < size * TIMES, "the typed Q was drawn only once the flood had ended"
        await until_line(pilot, tab, "flood-over-42", timeout=180)
        lines = tab.emulator.display()
        last = (home / "flood.txt").read_text().splitlines()[-1]
        assert lines[lines.index("flood-over-42") - 1] == last  # the flood's last line, then what followed it


async def test_a_typed_characters_echo_is_fed_when_it_comes_not_at_the_next_flood_frame(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output that comes within a flood frame of the last feed waits for the next frame, but a typed character's
    echo does not: keys typed one right after another each show at once. (The frame is made 60 s long here, so
    an echo held for it would not show within the wait.)"""
    kwok_shell_pod(stack, namespace, tmp_path)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_from_pod_list(pilot, app)
        await until_prompt(pilot, tab)
        monkeypatch.setattr(terminal_module, "FLOOD_FRAME_S", 60.0)
        for typed in ("x", "xy", "xyz"):
            key(app, typed[-1])
            await until(lambda t=typed: tab.emulator.display()[tab.emulator.cursor[1]].endswith(t), typed, 20)
        key(app, "ctrl+u")
