"""What a pod logs is data, never terminal commands: a log holding terminal control sequences (a full reset, a
charset switch, cursor moves, OSC hyperlinks and clipboard writes, C1 controls, invalid UTF-8) is drawn as visible
text by the Logs screen and never reaches the terminal; and a 10 MB line leaves the screen answering keys. kwok
serves each test pod's CRI log file through the real kube-apiserver."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.pilot import Pilot

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import (
    Clock,
    colour_of,
    cri,
    highlighted,
    info,
    lines_held,
    log_pod,
    logs_screen,
    open_from_pod_list,
    shown,
)
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.help import HelpScreen
from tui.screens.logs.logs import LogsScreen
from tui.widgets.log_view import LogView

# One line per kind of hostile input: each has a word before and after the sequence, so search can look for them.
HOSTILE: dict[str, bytes] = {
    "reset": b"reset before \x1bc after",
    "charset": b"charset before \x1b)0\x0e after",
    "bell": b"bell before \x07\x07 after",
    "backspace": b"backspace before \x08\x08\x08 after",
    "cursor": b"cursor before \x1b[2J\x1b[H\x1b[10;20H\x1b[5A\x1b[?1049h after",
    "hyperlink": b"hyperlink before \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ after",
    "clipboard": b"clipboard before \x1b]52;c;cm0gLXJmIH4=\x07 after",
    "dcs": b"dcs before \x1bP1$r0m\x1b\\ after",
    "c1": "c1 before \u009b2J\u0085\u009d0;title\u009c after".encode(),
    "utf8": b"utf8 before \xff\xfe\xc3 after",
    "cr": b"cr before \r after",
    "nul": b"nul before \x00 after",
    "del": b"del before \x7f after",
    "colours": b"colours before \x1b[31mred\x1b[0m \x1b[1;32mgreen\x1b[0m after",
}
JSON_LINE = b'{"json": "before \\u001bc\\u009b2J\\u0007 after"}'
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What the app itself writes to the terminal: cursor moves and colours (CSI ... H / m); anything else is not its own.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*[Hm]")
ANSWER_TIMEOUT_S = 10.0


def cri_bytes(message: bytes, when: datetime, tag: str = "F") -> bytes:
    """A CRI log line holding any bytes (`cri` takes text)."""
    return cri("", when).encode().replace(b" F ", f" {tag} ".encode())[:-1] + message + b"\n"


async def answered(pilot: Pilot[None], keys: tuple[str, ...], done: Callable[[], bool], what: str) -> None:
    """Press keys and wait until `done` holds, within a generous timeout (a key is meant to take 100 ms). The
    test shares the app's event loop: while the app is busy drawing, pressing itself waits, so the time counts from
    before the keys are pressed."""
    started = time.monotonic()
    await pilot.press(*keys)
    left = ANSWER_TIMEOUT_S - (time.monotonic() - started)
    assert left > 0, f"the screen took {time.monotonic() - started:.0f} s to take the keys {what}"
    await settle(pilot, done, timeout=left, what=f"the answer to {what}")


def drawn_rows(app: K8sxApp) -> list[list[tuple[str, object]]]:
    """Every row of the log view, as (text, style) segments."""
    view = logs_screen(app).query_one(LogView)
    return [[(segment.text, segment.style) for segment in view.render_line(y)] for y in range(view.size.height)]


def terminal_output(app: K8sxApp) -> str:
    """What the app would write to the terminal to draw the whole screen now (the headless driver writes
    nothing: this is the same update, rendered to the escape sequences a terminal receives)."""
    return app.screen._compositor.render_update(full=True).render_segments(app.console)


async def test_a_log_full_of_terminal_commands_is_shown_as_text_and_never_reaches_the_terminal(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="hostile")
    with pod.files["main"].open("ab") as out:
        out.writelines(cri_bytes(message, clock.tick()) for message in [*HOSTILE.values(), JSON_LINE])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "hostile")
        await settle(pilot, lambda: len(shown(app)) == len(HOSTILE) + 1, what="every hostile line")
        rows = shown(app)
        for name, row in zip(HOSTILE, rows[:-1], strict=True):
            assert row.startswith(f"{name} before ") and row.endswith(" after"), row
        for text, _ in (segment for row in drawn_rows(app) for segment in row):
            assert not CONTROL.search(text), f"a control character is drawn: {text!r}"
        by_name = dict(zip(HOSTILE, rows, strict=False))
        assert "␛c" in by_name["reset"] and "␛)0␎" in by_name["charset"] and "␛]52;c;" in by_name["clipboard"]
        assert "\\x9b2J" in by_name["c1"] and "�" in by_name["utf8"] and "␀" in by_name["nul"]
        assert "https://evil.example/" in by_name["hyperlink"]  # shown, not made a link
        red = colour_of(app, by_name["colours"], "red")
        assert red is not None and red.color is not None and red.color.number == 1  # colours still work
        assert by_name["colours"] == "colours before red green after"

        sent = OWN_SEQUENCES.sub("", terminal_output(app))
        assert "reset before" in sent and not CONTROL.search(sent.replace("\n", ""))

        await pilot.press("J")  # the JSON view: its escapes decode to control characters, drawn as text too
        pretty = '  "json": "before \\u001bc\\x9b2J\\u0007 after"'  # (JSON escapes C0 itself, not C1)
        await settle(pilot, lambda: pretty in shown(app), what="the JSON view")
        for text, _ in (segment for row in drawn_rows(app) for segment in row):
            assert not CONTROL.search(text), f"a control character is drawn: {text!r}"
        await pilot.press("J")

        await pilot.press("slash", *"after", "enter")  # search finds the words next to the sequences
        await settle(pilot, lambda: " hits" in info(app) and "searching" not in info(app), what="the search done")
        assert f"/{len(HOSTILE) + 1} hits" in info(app), info(app)  # every line
        for row in shown(app):
            assert highlighted(app, row) == ["after"], row

        target = tmp_path / "saved.log"  # saving keeps what the pod sent, byte for byte (as `kubectl logs` does)
        await pilot.press("ctrl+s")
        prompt = logs_screen(app).query_one("#logs-prompt")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        want = b"".join(message + b"\n" for message in [*HOSTILE.values(), JSON_LINE])
        await settle(pilot, lambda: target.exists() and target.stat().st_size == len(want), what="the file")
        assert target.read_bytes() == want


async def test_a_10_mb_line_without_a_newline_leaves_the_screen_answering_keys_in_every_look(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="chatty")
    # A program dumping its state as one JSON document: 10 MB, a value in the middle to search for.
    values = b"[" + b"0.25, " * (5 * 1024 * 1024 // 6) + b"0.5]"
    long_line = b'{"losses": ' + values + b', "needle": "in the middle", "accuracies": ' + values + b"}"
    with pod.files["main"].open("ab") as out:
        out.write(cri_bytes(b"before the long line", clock.tick()))
        when = clock.tick()
        pieces = [long_line[i : i + 16 * 1024] for i in range(0, len(long_line), 16 * 1024)]
        # As containerd writes a line that long: partial entries of 16 KB, the last one full.
        out.writelines(cri_bytes(piece, when, "P") for piece in pieces[:-1])
        out.write(cri_bytes(pieces[-1], when))
        out.write(cri_bytes(b"after the long line", clock.tick()))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "chatty")
        await settle(pilot, lambda: lines_held(app) == 3, timeout=60, what="the 10 MB line")
        await settle(pilot, lambda: len(shown(app)) == 3, timeout=20, what="the lines drawn")
        assert shown(app)[1].startswith('{"losses": [0.25, 0.25, 0.25')

        # Every look of the screen: wrapped, JSON pretty-printed (each key draws the screen again).
        for look in ("w", "J", "w", "J"):
            await answered(pilot, (look, "question_mark"), lambda: isinstance(app.screen, HelpScreen), f"{look}, ?")
            await answered(pilot, ("escape",), lambda: isinstance(app.screen, LogsScreen), "Esc")
        assert shown(app) == ["before the long line", long_line[: SIZE[0]].decode().rstrip(), "after the long line"]

        await pilot.press("slash", *"in the middle", "enter")
        await settle(pilot, lambda: "1/1 hits" in info(app), timeout=10, what="the hit in the middle of the line")

        target = tmp_path / "saved.log"
        await pilot.press("ctrl+s")
        prompt = logs_screen(app).query_one("#logs-prompt")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        want = b"before the long line\n" + long_line + b"\nafter the long line\n"
        await settle(pilot, lambda: target.exists() and target.stat().st_size == len(want), timeout=30, what="saved")
        assert target.read_bytes() == want  # saved whole, as received
