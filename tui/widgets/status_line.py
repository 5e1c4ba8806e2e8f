"""The line at the top of every screen: kube context, namespace, and whether each backend answers."""

from __future__ import annotations

from typing import Protocol, cast

from textual.content import Content
from textual.widgets import Static

from tui.models.health import ClusterHealth, EngineHealth, Reachability

_MARKS = {
    Reachability.UP: ("●", "$status-ok"),
    Reachability.DOWN: ("✗", "$status-bad"),
    Reachability.CHECKING: ("…", "$warning"),
}


def _state(label: str, reachability: Reachability, detail: str) -> Content:
    mark, colour = _MARKS[reachability]
    words = {Reachability.UP: "", Reachability.DOWN: "unreachable: ", Reachability.CHECKING: "checking "}
    return Content.assemble(
        (f"{label} ", "bold"),
        (mark, colour),
        " ",
        (words[reachability] + detail, colour if reachability is not Reachability.UP else ""),
    )


def describe(cluster: ClusterHealth, engine: EngineHealth) -> Content:
    """The status line's text; a pure function so that tests and screenshots agree on it."""
    context = cluster.context or "no context"
    return Content.assemble(
        ("⎈ ", "$accent"),
        (context, "bold $accent"),
        "  ns ",
        ("all" if cluster.namespace == "*" else cluster.namespace, "bold"),
        "  │  ",
        _state("cluster", cluster.reachability, cluster.detail),
        "  │  ",
        _state("docker", engine.reachability, engine.detail),
    )


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

    def _refresh_text(self) -> None:
        source = cast(HealthSource, self.app)
        self.update(describe(source.cluster_health, source.engine_health))
