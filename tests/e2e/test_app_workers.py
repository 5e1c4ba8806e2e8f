"""Long-lived workers (watches, log streams, terminal readers) never leave new work waiting for a thread."""

from __future__ import annotations

import threading

from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv


async def test_an_apply_is_not_queued_behind_streams_and_terminal_tabs(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        release = threading.Event()
        holding = 0
        count = threading.Lock()

        def long_lived() -> None:  # what a log stream or a terminal tab's reader does: hold its thread
            nonlocal holding
            with count:
                holding += 1
            release.wait(60)

        done = threading.Event()
        try:
            for _ in range(24):  # 12 terminal tabs and 12 log streams, say; the stock executor has 6 threads here
                app.run_worker(long_lived, thread=True, group="test-long-lived")
            await settle(pilot, lambda: holding == 24, what="every long-lived worker running at once")
            app.run_worker(done.set, thread=True, group="test-short")  # the user's next action
            await settle(pilot, done.is_set, timeout=10, what="a short worker while the others hold their threads")
        finally:
            release.set()
