"""An event's detail text: the whole message (cut, saying so, only when absurdly long), unknown fields said."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.models.events.detail import event_detail
from tui.models.events.event import LONGEST_DETAIL, event_row


def test_a_huge_message_is_cut_saying_how_much_is_left() -> None:
    row = event_row({"metadata": {"name": "e", "namespace": "ns"}, "message": "m" * (LONGEST_DETAIL + 10) + "\x1b"})
    assert row.full_message == "m" * LONGEST_DETAIL + "\n… (11 more characters not shown)"
    assert len(row.message) == 2000  # the cell's one line, as before


def test_what_is_not_known_is_said() -> None:
    text = event_detail(event_row({"metadata": {"name": "e", "namespace": "ns"}}), datetime.now(UTC))
    assert "First seen: <unknown>" in text and "Source:     <none>" in text and text.endswith("Message:\n<none>\n")
