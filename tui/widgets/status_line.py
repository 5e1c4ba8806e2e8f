"""The line at the top of every screen: kube context, namespace, and whether each backend answers."""

from __future__ import annotations

import re
from typing import Protocol, cast

from textual.content import Content
from textual.widgets import Static

from tui.models.health import ClusterHealth, EngineHealth, Reachability

_MARKS = {
    Reachability.UP: ("●", "$status-ok"),
    Reachability.DOWN: ("✗", "$status-bad"),
    Reachability.CHECKING: ("…", "$warning"),
}


_WORDS = {Reachability.UP: "", Reachability.DOWN: "unreachable: ", Reachability.CHECKING: "checking "}
_SEPARATOR = "  │  "


def _label(label: str, reachability: Reachability) -> Content:
    mark, colour = _MARKS[reachability]
    words = _WORDS[reachability]
    return Content.assemble((f"{label} ", "bold"), (mark, colour), " ", *([(words, colour)] if words else []))


# A path of two folders or more (a socket, a kubeconfig, a certificate), optionally after a scheme (unix://).
_PATH = re.compile(r"(?P<scheme>[a-z]+://)?/?(?:[^\s/'\"(),:]+/){2,}(?P<name>[^\s/'\"(),:]+)")


def _first_line(detail: str) -> str:
    """The first line only: the whole reason, however long, is in the diagnostic log."""
    return detail.strip().splitlines()[0] if detail.strip() else ""


def _compact(text: str) -> str:
    """Paths down to their file names: the name and the reason after it say more than the folders."""
    return _PATH.sub(lambda m: f"{m['scheme'] or ''}…/{m['name']}", text)


def _shares(wanted: tuple[int, int], room: int) -> tuple[int, int]:
    """Cells for two details: each gets at least half of the room, and what one does not need goes to the other."""
    first, second = wanted
    if first + second <= room:
        return first, second
    half = max(room // 2, 1)
    if first <= half:
        return first, max(room - first, 1)
    if second <= room - half:
        return max(room - second, 1), second
    return half, max(room - half, 1)


def _fit(details: tuple[str, str], room: int) -> tuple[Content, Content]:
    """Both details in `room` cells: paths shortened first, then each cut to its share with an ellipsis."""
    first, second = Content(details[0]), Content(details[1])
    if first.cell_length + second.cell_length <= room:
        return first, second
    first, second = Content(_compact(details[0])), Content(_compact(details[1]))
    first_room, second_room = _shares((first.cell_length, second.cell_length), room)
    return first.truncate(first_room, ellipsis=True), second.truncate(second_room, ellipsis=True)


def describe(cluster: ClusterHealth, engine: EngineHealth, width: int | None = None) -> Content:
    """The status line's text, at most `width` cells when given: a long reason is shortened to its share of the
    width, so it never pushes the other backend off the line. A pure function, so that tests and screenshots agree
    on it."""
    context = cluster.context or "no context"
    head = Content.assemble(
        ("⎈ ", "$accent"),
        (context, "bold $accent"),
        "  ns ",
        ("all" if cluster.namespace == "*" else cluster.namespace, "bold"),
        _SEPARATOR,
    )
    cluster_label, engine_label = _label("cluster", cluster.reachability), _label("docker", engine.reachability)
    details = (_first_line(cluster.detail), _first_line(engine.detail))
    if width is None:
        cluster_detail, engine_detail = Content(details[0]), Content(details[1])
    else:
        fixed = head.cell_length + cluster_label.cell_length + len(_SEPARATOR) + engine_label.cell_length
        cluster_detail, engine_detail = _fit(details, max(width - fixed, 2))
    return Content.assemble(
        head,
        cluster_label,
        cluster_detail.stylize(_colour(cluster.reachability)),
        _SEPARATOR,
        engine_label,
        engine_detail.stylize(_colour(engine.reachability)),
    )


def _colour(reachability: Reachability) -> str:
    return "" if reachability is Reachability.UP else _MARKS[reachability][1]


class HealthSource(Protocol):
    """What the status line needs of the app: its two reactive health values."""

    cluster_health: ClusterHealth
    engine_health: EngineHealth


class StatusLine(Static):
    """Follows the app's `cluster_health` and `engine_health`; each screen has one."""

    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        app = self.app
        self.watch(app, "cluster_health", self._refresh_text, init=False)
        self.watch(app, "engine_health", self._refresh_text, init=False)
        self._refresh_text()

    def on_resize(self) -> None:
        self._refresh_text()

    def _refresh_text(self) -> None:
        source = cast(HealthSource, self.app)
        width = self.content_region.width or None  # 0 before the first layout: not cut yet
        self.update(describe(source.cluster_health, source.engine_health, width))
