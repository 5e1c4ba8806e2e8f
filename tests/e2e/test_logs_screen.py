"""The Logs screen against the real API server: kwok serves each test pod's own CRI log files (current and
previous container) through the real kube-apiserver, with follow, tailLines and sinceTime, as a kubelet would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.theme import Theme

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
    small_window,
)
from tests.support.net import TcpProxy
from tests.support.stack import StackEnv, kubeconfig_with_server, kubectl, wait_for
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.widgets.log_view import LogView

__all__ = ["small_window"]  # a fixture: imported so that pytest finds it here


# ---------------------------------------------------------------- following


async def test_l_on_a_pod_tails_its_log_and_follows_new_lines(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path)
    pod.write([cri(f"epoch {i} loss 0.{9 - i}", clock.tick()) for i in range(1, 4)])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "train")
        await settle(pilot, lambda: shown(app) == ["epoch 1 loss 0.8", "epoch 2 loss 0.7", "epoch 3 loss 0.6"])
        assert f"{namespace}/train [main]" in info(app) and "following" in info(app) and "live" in info(app)

        pod.write([cri("epoch 4 loss 0.5", clock.tick()), cri("epoch 5 loss 0.4", clock.tick())])
        await settle(pilot, lambda: shown(app)[-2:] == ["epoch 4 loss 0.5", "epoch 5 loss 0.4"], what="new lines")
        assert "5 lines" in info(app)


async def test_a_pod_that_has_logged_nothing_yet_says_waiting_for_logs(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    pod = log_pod(stack, namespace, tmp_path, name="quiet")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "quiet")
        await settle(pilot, lambda: "waiting for logs" in info(app), what="waiting for logs")
        assert any("waiting for logs" in row for row in shown(app))
        pod.write([cri("finally started", Clock().tick())])
        await settle(pilot, lambda: shown(app) == ["finally started"], what="the first line")
        assert "live" in info(app)


async def test_pausing_keeps_the_stream_running_and_counts_new_lines(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path)
    pod.write([cri(f"line {i}", clock.tick()) for i in range(100)])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "train")
        await settle(pilot, lambda: shown(app)[-1:] == ["line 99"], what="the tail")
        await pilot.press("f")
        assert "paused" in info(app)
        screen_before = shown(app)
        pod.write([cri(f"more {i}", clock.tick()) for i in range(7)])
        await settle(pilot, lambda: lines_held(app) == 107, what="lines arriving while paused")
        marker = logs_screen(app).query_one("#logs-new")
        await settle(pilot, lambda: "7 new lines" in str(marker.render()), what="the new-lines marker")
        assert shown(app) == screen_before  # the screen stays where the user left it

        await pilot.press("end")
        await settle(pilot, lambda: shown(app)[-1:] == ["more 6"], what="following again")
        assert "following" in info(app) and not marker.has_class("-active")


# ---------------------------------------------------------------- which containers, which pods


async def test_p_shows_the_previous_container_and_says_when_its_log_ends(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="crashy")
    pod.write([cri("starting again", clock.tick())])
    pod.write([cri("loading data", clock.tick()), cri("OOM: killed", clock.tick())], previous=True)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "crashy", key="p")
        await settle(pilot, lambda: shown(app) == ["loading data", "OOM: killed"], what="the previous log")
        await settle(pilot, lambda: "stream ended" in info(app), what="the end of the previous log")
        assert "previous container" in info(app) and "end of the previous container's log" in info(app)

        await pilot.press("p")  # back to the running container
        await settle(pilot, lambda: shown(app) == ["starting again"], what="the current log")
        assert "previous container" not in info(app)


async def test_all_containers_are_interleaved_by_time_with_their_names(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="duo", containers=("main", "sidecar"))
    pod.write([cri("main: step 1", clock.tick())], "main")
    pod.write([cri("sidecar: synced", clock.tick())], "sidecar")
    pod.write([cri("main: step 2", clock.tick())], "main")
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "duo")
        await settle(pilot, lambda: shown(app) == ["main: step 1", "main: step 2"], what="the default container")

        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker")
        await pilot.press(*"all", "enter")
        await settle(pilot, lambda: len(shown(app)) == 3, what="both containers")
        assert shown(app) == ["main    main: step 1", "sidecar sidecar: synced", "main    main: step 2"]
        assert "[main, sidecar]" in info(app)

        pod.write([cri("sidecar: synced again", clock.tick())], "sidecar")
        await settle(pilot, lambda: shown(app)[-1:] == ["sidecar sidecar: synced again"], what="a new sidecar line")

        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker again")
        await pilot.press(*"sidecar", "enter")
        await settle(pilot, lambda: shown(app) == ["sidecar: synced", "sidecar: synced again"], what="the sidecar")
        assert f"{namespace}/duo [sidecar]" in info(app)


async def test_marked_pods_are_merged_with_their_names(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    clock = Clock()
    shard_a = log_pod(stack, namespace, tmp_path, name="shard-a")
    shard_b = log_pod(stack, namespace, tmp_path, name="shard-b")
    shard_a.write([cri("a reads part 1", clock.tick())])
    shard_b.write([cri("b reads part 2", clock.tick())])
    shard_a.write([cri("a done", clock.tick())])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "shard-a", "shard-b")
        await settle(pilot, lambda: len(shown(app)) == 3, what="both pods' lines")
        assert shown(app) == ["shard-a a reads part 1", "shard-b b reads part 2", "shard-a a done"]
        assert "2 pods" in info(app)


async def test_opened_with_2_it_says_how_to_choose_and_o_picks_pods_by_name_or_label(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    worker_1 = log_pod(stack, namespace, tmp_path, name="worker-1", labels={"job": "sweep"})
    worker_2 = log_pod(stack, namespace, tmp_path, name="worker-2", labels={"job": "sweep"})
    log_pod(stack, namespace, tmp_path, name="other", labels={"job": "eval"})
    worker_1.write([cri("lr=0.1 acc=0.71", clock.tick())])
    worker_2.write([cri("lr=0.01 acc=0.84", clock.tick())])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        hint = str(app.screen.query_one("#logs-empty").render())
        assert "No pod chosen yet" in hint and "Press o to pick a pod" in hint and "press l" in hint

        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the pod picker")
        await pilot.press(*"worker-2", "enter")
        await settle(pilot, lambda: shown(app) == ["lr=0.01 acc=0.84"], what="the chosen pod's log")

        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the pod picker again")
        await pilot.press(*"-l job=sweep", "enter")
        await settle(pilot, lambda: len(shown(app)) == 2, what="every pod of the selector")
        assert shown(app) == ["worker-1 lr=0.1 acc=0.71", "worker-2 lr=0.01 acc=0.84"]


async def test_since_ranges_ask_the_server_for_that_much_history(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    pod = log_pod(stack, namespace, tmp_path, name="long-run")
    pod.write([cri("two hours ago", now - timedelta(hours=2)), cri("ten minutes ago", now - timedelta(minutes=10))])
    pod.write([cri("just now", now - timedelta(seconds=5))])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "long-run")
        await settle(pilot, lambda: len(shown(app)) == 3, what="the last 1,000 lines: all three")
        assert "last 1,000 lines" in info(app)
        ranges = [("1m", ["just now"]), ("5m", ["just now"]), ("15m", ["ten minutes ago", "just now"])]
        ranges += [("1h", ["ten minutes ago", "just now"]), ("all", None)]
        for choice, expected in ranges:
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
            await pilot.press(*choice, "enter")
            want = expected or ["two hours ago", "ten minutes ago", "just now"]
            await settle(pilot, lambda w=want: shown(app) == w, what=f"since {choice}")  # type: ignore[misc]
        assert "all lines" in info(app)


# ---------------------------------------------------------------- the whole history: search, filter, save


async def test_search_counts_every_hit_and_n_N_jump_to_lines_that_scrolled_off_long_ago(
    stack: StackEnv, namespace: str, tmp_path: Path, small_window: None
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="trainer")
    lines = [f"step {i} loss=0.{i:04d}" + (" checkpoint saved" if i % 1000 == 999 else "") for i in range(5000)]
    pod.write([cri(text, clock.tick()) for text in lines])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "r")  # everything, not only the last 1,000 lines
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
        await pilot.press(*"all", "enter", "1")
        await open_from_pod_list(pilot, app, "trainer")
        await settle(pilot, lambda: lines_held(app) == 5000, what="5,000 lines")
        history = logs_screen(app).history
        assert history is not None and history.spilled_bytes > 0  # most of it lives in the temp file by now

        await pilot.press("slash", *"Checkpoint", "enter")  # a capital: case-sensitive, so no hit
        await settle(pilot, lambda: "0 hits" in info(app), what="no hit for a capital C")
        await pilot.press("slash", *["backspace"] * 10, *"checkpoint", "enter")
        await settle(pilot, lambda: "search 'checkpoint': 5/5 hits" in info(app), what="five hits, at the last")
        assert any("step 4999 loss=0.4999 checkpoint saved" in row for row in shown(app))
        assert highlighted(app, "step 4999 loss=0.4999 checkpoint saved") == ["checkpoint"]

        await pilot.press("N", "N", "N")
        await settle(pilot, lambda: "2/5 hits" in info(app), what="three hits back")
        rows = shown(app)
        assert any(row == "step 1999 loss=0.1999 checkpoint saved" for row in rows)
        assert "step 1998 loss=0.1998" in rows and "step 2000 loss=0.2000" in rows  # with context around it
        assert highlighted(app, "step 1999 loss=0.1999 checkpoint saved") == ["checkpoint"]  # long scrolled off
        assert "paused" in info(app)

        await pilot.press("N", "N")  # before the first hit: wraps around to the last
        await settle(pilot, lambda: "5/5 hits" in info(app), what="wrapped to the last hit")
        await pilot.press("n")
        await settle(pilot, lambda: "1/5 hits" in info(app), what="wrapped to the first hit")
        assert "step 999 loss=0.0999 checkpoint saved" in shown(app)


async def test_filter_shows_only_matching_lines_of_the_whole_history_then_new_ones(
    stack: StackEnv, namespace: str, tmp_path: Path, small_window: None
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="server")
    lines = [f"GET /item/{i} {'500 ERROR db timeout' if i % 700 == 0 else '200 OK'}" for i in range(3000)]
    pod.write([cri(text, clock.tick()) for text in lines])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "r")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
        await pilot.press(*"all", "enter", "1")
        await open_from_pod_list(pilot, app, "server")
        await settle(pilot, lambda: lines_held(app) == 3000, what="3,000 lines")

        await pilot.press("ampersand", *"error", "enter")
        expected = [f"GET /item/{i} 500 ERROR db timeout" for i in (0, 700, 1400, 2100, 2800)]
        await settle(pilot, lambda: shown(app) == expected, what="only the errors")
        assert "filter 'error': 5 lines" in info(app)

        pod.write([cri("GET /item/9 200 OK", clock.tick()), cri("GET /item/10 500 ERROR disk full", clock.tick())])
        await settle(pilot, lambda: shown(app)[-1:] == ["GET /item/10 500 ERROR disk full"], what="a new error")
        assert "GET /item/9 200 OK" not in shown(app)

        await pilot.press("ctrl+r", "ampersand", *["backspace"] * 5, *r"item/(7|14)00 ", "enter")  # a regex now
        await settle(pilot, lambda: len(shown(app)) == 2, what="the regex filter")
        assert shown(app) == ["GET /item/700 500 ERROR db timeout", "GET /item/1400 500 ERROR db timeout"]

        await pilot.press("escape")
        await settle(pilot, lambda: "filter" not in info(app) and len(shown(app)) > 20, what="the filter cleared")


async def test_save_writes_every_line_and_never_overwrites_without_asking(
    stack: StackEnv, namespace: str, tmp_path: Path, small_window: None
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="etl")
    lines = [f"row {i} {'rejected' if i % 1000 == 0 else 'ok'}" for i in range(4000)]
    pod.write([cri(text, clock.tick()) for text in lines])
    target = tmp_path / "saved" / "etl.log"
    target.parent.mkdir()
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "r")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
        await pilot.press(*"all", "enter", "1")
        await open_from_pod_list(pilot, app, "etl")
        await settle(pilot, lambda: lines_held(app) == 4000, what="4,000 lines")

        await pilot.press("ctrl+s")
        prompt = logs_screen(app).query_one("#logs-prompt")
        assert "every line (4,000)" in str(prompt.placeholder)  # type: ignore[attr-defined]
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: target.exists() and target.read_text().count("\n") == 4000, what="the file")
        assert target.read_text().splitlines() == lines

        await pilot.press("ampersand", *"rejected", "enter")
        await settle(pilot, lambda: len(shown(app)) == 4, what="the filter")
        await pilot.press("ctrl+s")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question")
        assert "exists" in str(app.screen.query_one("#question").render())
        await pilot.press("enter")  # the focus starts on Cancel
        await pilot.pause(0.5)
        assert target.read_text().splitlines() == lines

        await pilot.press("ctrl+s")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question again")
        await pilot.press("tab", "enter")  # Overwrite
        want = [line for line in lines if "rejected" in line]
        await settle(pilot, lambda: target.read_text().splitlines() == want, what="the filtered lines saved")


# ---------------------------------------------------------------- how lines look


async def test_colours_timestamps_json_and_wrap(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="fancy")
    pod.write(
        [
            cri("\x1b[31mERROR\x1b[0m disk \x1b[1;32mnearly\x1b[0m full", clock.tick()),
            cri('{"step": 7, "metrics": {"loss": 0.25}}', clock.tick()),
            cri("x" * 400, clock.tick()),
        ]
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "fancy")
        await settle(pilot, lambda: len(shown(app)) == 3, what="three lines")
        view = logs_screen(app).query_one(LogView)
        coloured = view.render_line(0)
        assert coloured.text.rstrip() == "ERROR disk nearly full"  # escapes rendered, not printed
        styles = {segment.text: segment.style for segment in coloured if segment.text.strip()}
        red = styles["ERROR"]
        assert red is not None and red.color is not None and red.color.number == 1  # ANSI red

        await pilot.press("t")
        await settle(pilot, lambda: shown(app)[0].startswith("2026-11-29T10:00:00.000001000Z ERROR"), what="times")
        await pilot.press("t", "J")
        await settle(pilot, lambda: len(shown(app)) > 3, what="JSON pretty-printed")
        assert shown(app)[1:8] == ["{", '  "step": 7,', '  "metrics": {', '    "loss": 0.25', "  }", "}", "x" * 180]

        await pilot.press("J", "w")
        width = view.scrollable_content_region.width
        await settle(pilot, lambda: len(shown(app)) == 2 + -(-400 // width), what="the long line wrapped")


async def test_level_words_and_search_hits_take_the_themes_log_colours(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="levels")
    rows = ["WARNING disk at 91%", 'time=1 level=error msg="out of memory"', "INFO ready to serve"]
    pod.write([cri(row, clock.tick()) for row in rows])
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await open_from_pod_list(pilot, app, "levels")
        await settle(pilot, lambda: shown(app) == rows, what="three lines")
        view = logs_screen(app).query_one(LogView)

        def colour(row: str, part: str) -> str:
            style = colour_of(app, row, part)
            assert style is not None and style.color is not None, (row, part, style)
            return style.color.get_truecolor().hex

        # The app's default theme names its log colours: the level words take them.
        assert app.theme == "k8sx-dark"
        assert colour(rows[0], "WARNING") == app.theme_variables["log-warning"].lower() == "#fbbf24"
        error = colour_of(app, rows[1], "error")
        assert error is not None and error.bold
        assert colour(rows[1], "error") != colour(rows[2], "INFO") != colour(rows[0], "WARNING")
        assert colour(rows[0], " disk at 91%") == view.rich_style.color.get_truecolor().hex  # only the level word

        theme = Theme("k8sx-logs-test", primary="#0178D4", dark=True)
        theme.variables = {"log-warning": "#123456", "log-error": "#abcdef", "log-match": "#654321"}
        app.register_theme(theme)
        info_colour = colour(rows[2], "INFO")
        app.theme = "k8sx-logs-test"
        await settle(pilot, lambda: colour(rows[0], "WARNING") == "#123456", what="the theme's warning colour")
        assert colour(rows[1], "error") == "#abcdef"
        assert colour(rows[2], "INFO") != "#123456" and info_colour  # log-info is not in the theme: the fallback

        await pilot.press("slash", *"ready", "enter")
        await settle(pilot, lambda: "1/1 hits" in info(app), what="the hit")
        match = colour_of(app, rows[2], "ready")
        assert match is not None and match.bgcolor is not None and match.bgcolor.get_truecolor().hex == "#654321"
        assert highlighted(app, rows[2]) == ["ready"]


# ---------------------------------------------------------------- a dropped stream


async def test_a_dropped_stream_reconnects_and_loses_or_repeats_nothing(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    clock = Clock()
    pod = log_pod(stack, namespace, tmp_path, name="flaky")

    def batch(first: int, last: int) -> list[str]:
        # Ten lines share each timestamp, so the cut falls among lines the server can only tell apart by order.
        return [cri(f"record {i}", clock.now + timedelta(milliseconds=i // 10)) for i in range(first, last)]

    pod.write(batch(0, 505))
    server = kubectl(stack, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    proxy = TcpProxy(server)
    try:
        kubeconfig = kubeconfig_with_server(stack, tmp_path, proxy.server)
        app = make_app(kubeconfig, stack.docker_host, namespace=namespace)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2", "r")
            await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the range picker")
            await pilot.press(*"all", "enter", "1")
            await open_from_pod_list(pilot, app, "flaky")
            await settle(pilot, lambda: lines_held(app) == 505, what="the first 505 records")

            proxy.refuse()
            assert proxy.drop() > 0
            await settle(pilot, lambda: "reconnecting" in info(app), what="reconnecting shown")
            pod.write(batch(505, 1000))  # written while the app cannot reach the server
            await pilot.pause(1.0)
            proxy.accept()
            await settle(pilot, lambda: lines_held(app) == 1000 and "live" in info(app), what="all 1,000 records")
            history = logs_screen(app).history
            assert history is not None
            assert [line.split(b" ", 1)[1].decode() for line in history.lines(0, len(history))] == [
                f"record {i}" for i in range(1000)
            ]
            assert "gap" not in info(app)

            kubectl(stack, "delete", "pod", "flaky", "-n", namespace, "--grace-period=0", "--force")
            wait_for(lambda: kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == "", what="pod gone")
            proxy.drop()
            await settle(pilot, lambda: "stream ended" in info(app), what="the end of the stream")
            assert "not found" in info(app)
            assert lines_held(app) == 1000
    finally:
        proxy.close()
