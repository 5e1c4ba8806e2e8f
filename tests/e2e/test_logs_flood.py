"""A flood of log lines on the Logs screen against the real API server: the UI thread takes the lines once a frame
(not for every block the stream reads), keeps every one and draws the newest."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import Clock, cri, info, lines_held, log_pod, logs_screen, open_from_pod_list, shown
from tests.support.stack import StackEnv
from tui.services.logs.feed import LogFeed

FLOOD = 50_000


async def test_a_flood_is_taken_once_a_frame_kept_whole_and_drawn_to_its_last_line(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="flood")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "flood")
        await settle(pilot, lambda: "waiting for logs" in info(app), what="waiting for logs")
        session = logs_screen(app).session
        calls: list[str] = []  # "take" (the feed emptied), "take+" (more left for the same turn), "shown"
        take, shown_ = session.take, session.shown

        def spy_take(feed: LogFeed) -> tuple[int, int, bool]:
            first, added, more = take(feed)
            calls.append("take+" if more else "take")
            return first, added, more

        def spy_shown() -> None:
            shown_()
            calls.append("shown")

        session.take, session.shown = spy_take, spy_shown  # type: ignore[method-assign]

        pod.write([cri(f"step {i} loss=0.{i % 997:03d} lr=0.0003", clock.tick()) for i in range(FLOOD)])
        last = f"step {FLOOD - 1} loss=0.{(FLOOD - 1) % 997:03d} lr=0.0003"
        await settle(pilot, lambda: shown(app)[-1:] == [last], what="the flood's last line drawn")

        assert lines_held(app) == FLOOD  # no line lost
        assert f"{FLOOD:,} lines" in info(app)
        assert shown(app)[-2:] == [f"step {FLOOD - 2} loss=0.{(FLOOD - 2) % 997:03d} lr=0.0003", last]
        # Once a frame: what the streams left is taken (in slices, one turn) right before a redraw; a take that
        # emptied the feed is never followed by another before the screen showed it.
        assert calls.count("shown") >= 2
        for before, after in pairwise(calls):
            if before == "take":
                assert after == "shown", calls
