"""Enter on the Events view shows the event whole (the MESSAGE column is cut by the screen's width): the message
wrapped, count, first and last seen, who reported it; hostile text stays text; Esc goes back. The COUNT of both
event shapes: core/v1's own `count` and the `series.count` of one written through events.k8s.io/v1."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import DataTable, Static

from tests.support.app import SIZE, settle
from tests.support.nodes_events import create_event, recording_app, table_rows
from tests.support.stack import StackEnv, kubectl
from tui.app import K8sxApp
from tui.screens.common.text_view import TextViewScreen
from tui.screens.events.events import COLUMNS, EventsScreen

# Longer than the screen is wide, markup, terminal commands and a line break; its end is what the cell cuts.
LONG = " ".join(f"word{i}" for i in range(80))
KUBELET = {"component": "kubelet", "host": "real-node-0"}
HOSTILE = f"pulled \x1b]52;c;eA==\x07 [bold red]not markup[/] {LONG}\nsecond line THE-END"


def new_style(namespace: str) -> dict[str, Any]:
    """As the scheduler writes one that recurred: no count, a series."""
    return {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "exp.new"},
        "regarding": {"kind": "Pod", "name": "exp", "namespace": namespace},
        "reason": "FailedScheduling",
        "note": "0/5 nodes are available",
        "type": "Warning",
        "action": "Scheduling",
        "eventTime": "2026-01-02T03:04:05.000000Z",
        "series": {"count": 4, "lastObservedTime": "2026-01-02T03:24:05.000000Z"},
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-host",
    }


def shown(app: K8sxApp) -> str:
    """The text view's text as drawn (wrapped at the screen's width), lines joined by spaces."""
    text = app.screen.query_one("#text", Static)
    return " ".join(text.render_line(y).text.rstrip() for y in range(text.size.height))


async def test_enter_shows_an_event_whole_with_both_shapes_counted(stack: StackEnv, namespace: str) -> None:
    create_event(stack, namespace, "exp.old", "exp", "Pulled", HOSTILE, count=7, source=KUBELET,
                 firstTimestamp="2026-01-02T03:04:05Z", lastTimestamp="2026-01-02T03:14:05Z")  # fmt: skip
    kubectl(stack, "create", "-n", namespace, "-f", "-", input=json.dumps(new_style(namespace)))
    app = recording_app(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(EventsScreen(app.backends.kube))

        def rows() -> dict[str, dict[str, str]]:
            return {row["REASON"]: row for row in table_rows(app, "events", COLUMNS)}

        await settle(pilot, lambda: set(rows()) == {"Pulled", "FailedScheduling"}, what="both events listed")
        assert rows()["Pulled"]["COUNT"] == "7" and rows()["FailedScheduling"]["COUNT"] == "4"

        table = app.screen.query_one("#events", DataTable)
        table.move_cursor(row=table.get_row_index(f"{namespace}/exp.old"))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="the event's detail")
        drawn = shown(app)
        assert "Type:       Normal" in drawn and "Reason:     Pulled" in drawn and "Object:     pod/exp" in drawn
        assert "Count:      7" in drawn
        assert "First seen: 2026-01-02 03:04:05 UTC" in drawn and "Last seen:  2026-01-02 03:14:05 UTC" in drawn
        assert "Source:     kubelet on real-node-0" in drawn
        # The message whole (wrapped: every word is drawn, to its second line's end), its hostile parts as text.
        assert "pulled ␛]52;c;eA==␇ [bold red]not markup[/] word0" in drawn
        assert all(f"word{i}" in drawn.split() for i in range(80)) and "second line THE-END" in drawn
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, EventsScreen), what="back on the events")

        table.move_cursor(row=table.get_row_index(f"{namespace}/exp.new"))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="the new-style event's detail")
        drawn = shown(app)
        assert "Count:      4" in drawn and "Type:       Warning" in drawn
        assert "First seen: 2026-01-02 03:04:05 UTC" in drawn  # its eventTime
        assert "Last seen:  2026-01-02 03:24:05 UTC" in drawn  # the series' last observation
        assert "Reporting:  default-scheduler / default-scheduler-host" in drawn
        assert "0/5 nodes are available" in drawn


async def test_enter_with_no_event_says_so(stack: StackEnv, namespace: str) -> None:
    app = recording_app(stack, namespace)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(EventsScreen(app.backends.kube))
        await settle(pilot, lambda: "live" in str(app.screen.query_one("#events-info", Static).content))
        await pilot.press("enter")
        await settle(pilot, lambda: any("no event" in n.message for n in app._notifications), what="a notice")
        assert isinstance(app.screen, EventsScreen)
