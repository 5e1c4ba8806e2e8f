"""Helpers of the Logs screen's e2e tests: kwok pods whose logs are files of the test, and what the screen shows."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from tests.support.app import settle
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply, wait_for
from tui.app import K8sxApp
from tui.screens.logs.logs import LogsScreen
from tui.services.logs import history as log_history
from tui.widgets.log_view import LogView


class Clock:
    """Timestamps for log lines: a microsecond apart, from a fixed start (or from `start`)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)

    def tick(self, step: timedelta = timedelta(microseconds=1)) -> datetime:
        self.now += step
        return self.now


def cri(text: str, when: datetime, stream: str = "stdout") -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond * 1000:09d}Z"
    return f"{stamp} {stream} F {text}\n"


class LogPod:
    """A Running kwok pod whose containers' logs are files of this test: write to them and the pod logs it."""

    def __init__(self, directory: Path, name: str, containers: tuple[str, ...]) -> None:
        self.name = name
        self.files = {c: directory / f"{name}-{c}.log" for c in containers}
        self.previous = {c: directory / f"{name}-{c}.previous.log" for c in containers}
        for path in (*self.files.values(), *self.previous.values()):
            path.touch()

    def write(self, lines: list[str], container: str | None = None, previous: bool = False) -> None:
        files = self.previous if previous else self.files
        with files[container or next(iter(files))].open("a") as out:
            out.write("".join(lines))


def log_pod(
    stack: StackEnv,
    namespace: str,
    directory: Path,
    name: str = "train",
    containers: tuple[str, ...] = ("main",),
    labels: dict[str, str] | None = None,
) -> LogPod:
    pod = LogPod(directory, name, containers)
    logs = [
        {"containers": [c], "logsFile": str(pod.files[c]), "previousLogsFile": str(pod.previous[c]), "follow": True}
        for c in containers
    ]
    apply(stack, namespace, kwok_pod(name, containers, labels, logs=logs))
    wait_pod_phase(stack, namespace, name)
    # kwok learns of the Logs object through a watch of its own: until then it answers "no logs found" (a final
    # answer for the app, as for kubectl). Wait until it serves every container's log.
    for container in containers:
        wait_for(
            lambda c=container: (
                subprocess.run(  # type: ignore[misc]
                    ["kubectl", "--kubeconfig", stack.kubeconfig, "logs", "-n", namespace, name, "-c", c],
                    capture_output=True,
                    timeout=60,
                ).returncode
                == 0
            ),
            what=f"kwok serving the log of {name}/{container}",
        )
    return pod


def logs_screen(app: K8sxApp) -> LogsScreen:
    screen = app.screen if isinstance(app.screen, LogsScreen) else app.get_screen("logs")
    assert isinstance(screen, LogsScreen)
    return screen


def shown(app: K8sxApp) -> list[str]:
    """The rows the log view draws right now, top to bottom (blank rows left out)."""
    view = logs_screen(app).query_one(LogView)
    rows = [view.render_line(y).text.rstrip() for y in range(view.size.height)]
    return [row for row in rows if row]


def info(app: K8sxApp) -> str:
    return str(logs_screen(app).query_one("#logs-info").render())


def lines_held(app: K8sxApp) -> int:
    history = logs_screen(app).history
    return len(history) if history is not None else 0


async def open_from_pod_list(pilot: Pilot[None], app: K8sxApp, *names: str, key: str = "l") -> None:
    """On the pod list: filter to the pods, mark them when several, and press l (or p)."""
    await settle(pilot, lambda: "live" in str(app.screen.query_one("#pods-info").render()), what="the pod list")
    await pilot.press("escape", "slash", *"|".join(names), "enter")  # (escape: a filter left from before)
    await settle(pilot, lambda: len(app.screen.table.view) == len(names), what=f"pods {names} listed")  # type: ignore[attr-defined]
    if len(names) > 1:
        await pilot.press(*["space"] * len(names))
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, LogsScreen), what="the Logs screen")


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep only 64 KB of lines in memory, so a few thousand lines already live mostly in the temp file."""
    monkeypatch.setattr(log_history, "WINDOW_BYTES", 64 * 1024)


def row_strip(app: K8sxApp, row: str) -> Strip:
    """The drawn row whose text is `row` (it must be on screen)."""
    view = logs_screen(app).query_one(LogView)
    for y in range(view.size.height):
        strip = view.render_line(y)
        if strip.text.rstrip() == row:
            return strip
    raise AssertionError(f"{row!r} is not on screen: {shown(app)}")


def highlighted(app: K8sxApp, row: str) -> list[str]:
    """The parts of a shown row drawn as search hits."""
    hit = logs_screen(app).query_one(LogView).part_style("log-view--match").bgcolor
    return [segment.text for segment in row_strip(app, row) if segment.style and segment.style.bgcolor == hit]


def colour_of(app: K8sxApp, row: str, part: str) -> Style | None:
    """The style a part of a shown row is drawn with."""
    return next((segment.style for segment in row_strip(app, row) if segment.text == part), None)
