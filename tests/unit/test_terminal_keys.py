"""What a key, a paste or a click sends to the program behind the terminal (xterm's encodings)."""

from __future__ import annotations

import pytest

from tui.models.terminal.keys import encode_key, encode_mouse, encode_paste
from tui.services.terminal.kube_exec import end_from_status
from tui.services.terminal.session import OutputBuffer, is_not_found


@pytest.mark.parametrize(
    ("key", "character", "sent"),
    [
        ("a", "a", b"a"),
        ("A", "A", b"A"),
        ("ctrl+c", None, b"\x03"),
        ("ctrl+d", None, b"\x04"),
        ("ctrl+z", None, b"\x1a"),
        ("ctrl+q", None, b"\x11"),
        ("ctrl+p", None, b"\x10"),
        ("ctrl+backslash", None, b"\x1c"),
        ("ctrl+@", None, b"\x00"),
        ("tab", "\t", b"\t"),
        ("shift+tab", None, b"\x1b[Z"),
        ("enter", "\r", b"\r"),
        ("escape", "\x1b", b"\x1b"),
        ("backspace", "\x7f", b"\x7f"),
        ("space", " ", b" "),
        ("up", None, b"\x1b[A"),
        ("shift+right", None, b"\x1b[1;2C"),
        ("ctrl+left", None, b"\x1b[1;5D"),
        ("home", None, b"\x1b[H"),
        ("pageup", None, b"\x1b[5~"),
        ("ctrl+delete", None, b"\x1b[3;5~"),
        ("f1", None, b"\x1bOP"),
        ("f5", None, b"\x1b[15~"),
        ("f12", None, b"\x1b[24~"),
        ("f13", None, b"\x1b[1;2P"),  # shift+F1, as Textual names it
        ("alt+x", None, b"\x1bx"),
        ("alt+shift+x", None, b"\x1bX"),
        ("ctrl+alt+c", None, b"\x1b\x03"),
        ("exclamation_mark", "!", b"!"),
        ("é", "é", "é".encode()),
    ],
)
def test_keys(key: str, character: str | None, sent: bytes) -> None:
    assert encode_key(key, character) == sent


def test_cursor_keys_in_application_mode_use_ss3() -> None:
    assert encode_key("up", None, application_cursor=True) == b"\x1bOA"
    assert encode_key("end", None, application_cursor=True) == b"\x1bOF"
    assert encode_key("shift+up", None, application_cursor=True) == b"\x1b[1;2A"


def test_a_paste_is_bracketed_when_asked_and_its_line_ends_become_cr() -> None:
    assert encode_paste("one\ntwo\r\n", bracketed=False) == b"one\rtwo\r"
    assert encode_paste("one\ntwo", bracketed=True) == b"\x1b[200~one\rtwo\x1b[201~"
    assert encode_paste("x\x1b[201~rm -rf /", bracketed=True) == b"\x1b[200~xrm -rf /\x1b[201~"  # no early end


def test_mouse_reports_sgr_and_x10() -> None:
    assert encode_mouse(1000, True, "down", 1, 4, 2) == b"\x1b[<0;5;3M"
    assert encode_mouse(1000, True, "up", 1, 4, 2) == b"\x1b[<0;5;3m"
    assert encode_mouse(1000, False, "down", 3, 0, 0) == b"\x1b[M\x22!!"
    assert encode_mouse(1000, False, "up", 1, 0, 0) == b"\x1b[M#!!"
    assert encode_mouse(1000, True, "scroll", 5, 9, 9, ctrl=True) == b"\x1b[<81;10;10M"
    assert encode_mouse(1000, True, "move", 1, 3, 3) == b""  # 1000 reports no motion
    assert encode_mouse(1002, True, "move", 1, 3, 3) == b"\x1b[<32;4;4M"
    assert encode_mouse(1002, True, "move", 0, 3, 3) == b""  # 1002: only drags
    assert encode_mouse(1003, True, "move", 0, 3, 3) == b"\x1b[<35;4;4M"
    assert encode_mouse(0, True, "down", 1, 3, 3) == b""


def test_exit_statuses_from_the_api_server_in_words() -> None:
    assert end_from_status({"status": "Success"}).clean
    real_kubelet = {
        "status": "Failure",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }
    assert end_from_status(real_kubelet).reason == "exit code 3"
    killed = {**real_kubelet, "details": {"causes": [{"reason": "ExitCode", "message": "137"}]}}
    assert end_from_status(killed).reason == "killed by signal 9 (exit code 137)"
    kwok = {"status": "Failure", "message": "error executing command in container: cmd wait: bash: exit status 2"}
    assert end_from_status(kwok).exit_code == 2
    missing = 'cmd start: bash : exec: "bash": executable file not found in $PATH'
    assert is_not_found(end_from_status({"status": "Failure", "message": missing}).reason)
    assert not is_not_found("permission denied")


def test_output_buffer_signals_once_per_batch() -> None:
    buffer = OutputBuffer()
    assert buffer.add(b"a") is True
    assert buffer.add(b"b") is False and buffer.add(b"c") is False
    assert buffer.take() == b"abc" and buffer.take() == b""
    assert buffer.add(b"d") is True
    buffer.add(b"ee")
    buffer.add(b"fff")
    assert buffer.take(limit=3) == b"dee" and len(buffer) == 3  # whole reads, up to the limit
    assert buffer.take(limit=1) == b"f" and buffer.take() == b"ff"  # a read larger than the limit is split


def test_output_put_back_is_taken_first_again() -> None:
    buffer = OutputBuffer()
    buffer.add(b"abc")
    buffer.add(b"def")
    taken = buffer.take(limit=3)
    buffer.put_back(taken[1:])  # fed up to a typed key's echo; the rest waits for the next frame
    assert len(buffer) == 5 and buffer.take() == b"bcdef"
