"""One followed log of the Logs screen, without the UI: its streams, its history, and when lines are shown.

Why it exists: the screen is about widgets and keys; what lives as long as one log does — one LogStream per
container feeding one LogFeed, the LogHistory the lines go to, each source's state for the status text — and the
timing that keeps a flood from freezing the UI (several sources' lines held back to be put in time order, lines
taken only for a frame and at most TAKE_BYTES per UI turn, frames spaced out) is plain logic, kept here where it can
be tested without Textual.
The screen runs the threads (its workers call `follow`) and the timers this asks for.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from tui.models.logs.lines import (
    LogChunk,
    LogRange,
    LogTarget,
    SourceState,
    StreamConnected,
    StreamEnded,
    StreamEvent,
    StreamGap,
    StreamRestarted,
    StreamTrouble,
    StreamWaiting,
    streams_status,
)
from tui.models.logs.match import split_line
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.logs.containers import LogPods, PodContainers
from tui.services.logs.feed import LogFeed, merge_batch
from tui.services.logs.history import LogHistory
from tui.services.logs.stream import LogStream

TAKE_BYTES = 1024 * 1024  # lines appended per UI turn, at most (about 10,000): so a turn stays short
# Several sources: their lines are held this long so those that arrive close together are shown in time order
# (and at the start until every source has sent something, at most FIRST_MERGE_S).
MERGE_WINDOW_S = 0.25
FIRST_MERGE_S = 1.5
SHOW_INTERVAL_S = 0.066  # new lines are taken and drawn at most ~15 times a second
# ... and 10 times a second in a flood (the last frame brought more lines than anyone reads): drawing a full screen
# is costly, and the lines and the keys need that time more.
FLOOD_SHOW_INTERVAL_S = 0.1
FLOOD_LINES = 2000
ALL_CONTAINERS = "all containers"


def log_targets(pods: list[PodContainers], container_choice: str | None) -> list[tuple[LogTarget, str]]:
    """(what to follow, its prefix) for the chosen pods and container choice (None: each pod's default container;
    ALL_CONTAINERS; or a container's name, for the pods that have one of that name)."""
    chosen: list[LogTarget] = []
    for pod in pods:
        if container_choice == ALL_CONTAINERS:
            names = list(pod.containers)
        elif container_choice in pod.containers:
            names = [container_choice]
        else:
            names = [pod.default] if pod.default else []
        chosen.extend(LogTarget(pod.namespace, pod.pod, name) for name in names)
    several_pods = len({(t.namespace, t.pod) for t in chosen}) > 1
    several_containers = len({t.container for t in chosen}) > 1 or any(
        len([t for t in chosen if (t.namespace, t.pod) == (o.namespace, o.pod)]) > 1 for o in chosen
    )
    labelled: list[tuple[LogTarget, str]] = []
    for target in chosen:
        parts = [target.pod] if several_pods else []
        if several_containers:
            parts.append(target.container)
        labelled.append((target, "/".join(parts)))
    return labelled


def freeze_long_lived() -> None:
    """Put what exists now out of the garbage collector's way before lines pour in. The app, its screens and the
    kubernetes client (a great many objects) live as long as the app, yet every full collection scanned them all,
    and a flood of lines provokes several a second: the longest stalls of the UI. Frozen, they are skipped; a full
    collection then scans only what came since. What was frozen at the last start is thawed and collected first,
    so garbage never stays frozen for longer than one log."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LogSession:
    """The log being followed (none before the first `start`) and the pacing of its lines on the screen."""

    def __init__(self, kube: KubeService, clock: Callable[[], float] = time.monotonic) -> None:
        self.kube = kube
        self.pods_service = LogPods(kube)
        self.clock = clock
        self.feed: LogFeed | None = None
        self.history: LogHistory | None = None
        self.streams: list[LogStream] = []
        self.sources: list[SourceState] = []
        self._started = 0.0
        self._merged_once = False
        self._merge_planned = False  # a timer will ask for the held-back lines
        self._shown_at = 0.0
        self._show_planned = False
        self._added_since_show = 0
        self._last_frame_lines = 0  # lines the last frame brought: a flood is drawn less often

    # ---------------------------------------------------------------- what to follow

    def find_pods(self, names: list[tuple[str, str]], selector: str) -> tuple[list[PodContainers], list[str]]:
        """Blocking (run it in a thread): the pods named (namespace, name) and those a selector picks, with their
        containers; and what went wrong, one phrase per pod or selector."""
        problems: list[str] = []
        pods: list[PodContainers] = []
        if selector:
            try:
                pods = self.pods_service.select(self.kube.namespace, selector)
            except Exception as exc:
                problems.append(f"-l {selector}: {self.kube.explain(exc)}")
            if not pods and not problems:
                problems.append(f"no pod matches -l {selector}")
        for namespace, name in names:
            try:
                pods.append(self.pods_service.containers(namespace, name))
            except Exception as exc:
                problems.append(f"{namespace}/{name}: {self.kube.explain(exc)}")
        return pods, problems

    def pod_names(self) -> tuple[list[str], str]:
        """Blocking: the pods to pick from (namespace/name in all namespaces), or none and why."""
        everywhere = self.kube.namespace == ALL_NAMESPACES
        try:
            found = self.pods_service.select(self.kube.namespace, "")
        except Exception as exc:
            return [], f"cannot list pods ({self.kube.explain(exc)}); type a name"
        return [pod.key if everywhere else pod.pod for pod in found], ""

    # ---------------------------------------------------------------- the streams' lifecycle

    def start(
        self, targets: list[tuple[LogTarget, str]], log_range: LogRange, previous: bool
    ) -> list[tuple[LogStream, LogFeed]]:
        """Stop what was followed; a new history and feed, one stream per (target, label): the caller runs `follow`
        for each (stream, feed) on a thread of its own."""
        self.stop()
        freeze_long_lived()
        self.history = LogHistory()
        self.feed = LogFeed()
        self.sources = [SourceState(label or target.key) for target, label in targets]
        self._started = self.clock()
        self._merged_once = False
        self.streams = [
            LogStream(self.kube, target, source, log_range, previous=previous)
            for source, (target, _) in enumerate(targets)
        ]
        return [(stream, self.feed) for stream in self.streams]

    def stop(self) -> None:
        for stream in self.streams:
            stream.stop()
        self.streams = []
        if self.feed is not None:
            self.feed.close()
            self.feed = None
        if self.history is not None:
            self.history.close()
            self.history = None

    @staticmethod
    def follow(stream: LogStream, feed: LogFeed, wake: Callable[[], object]) -> None:
        """On the stream's thread: leave its events in the feed, calling `wake` once per batch."""
        for event in stream.events():
            if feed.add(event):
                wake()

    # ---------------------------------------------------------------- taking the lines

    def merge_wait(self, feed: LogFeed) -> float:
        """How long to hold lines back so that several sources' lines can be put in time order: until each source
        has sent something the first time (at most FIRST_MERGE_S), then MERGE_WINDOW_S after a batch's first line.
        One source: nothing to wait for."""
        if len(self.sources) <= 1:
            return 0.0
        now = self.clock()
        if not self._merged_once and len(feed.sources_seen) < len(self.sources):
            return max(0.0, min(0.1, self._started + FIRST_MERGE_S - now))
        return max(0.0, feed.pending_since + MERGE_WINDOW_S - now)

    def plan_merge(self) -> bool:
        """Lines are held back: whether the caller should set a timer to ask again (not when one is set already)."""
        planned, self._merge_planned = self._merge_planned, True
        return not planned

    def merge_due(self) -> None:
        """The timer for held-back lines ran out."""
        self._merge_planned = False

    def take(self, feed: LogFeed) -> tuple[int, int, bool]:
        """Append at most TAKE_BYTES of the feed's lines to the history: (the first new line's index, how many
        lines were added, whether more are left for another turn)."""
        history = self.history
        assert history is not None and feed is self.feed
        events, more = feed.take(TAKE_BYTES)
        before = len(history)
        self.apply(events)
        added = len(history) - before
        self._added_since_show += added
        return before, added, more

    def apply(self, events: list[StreamEvent]) -> None:
        """Append a batch in time order and note what each source reports."""
        history = self.history
        assert history is not None
        self._merged_once = True
        for event in merge_batch(events):
            state = self.sources[event.source] if event.source < len(self.sources) else None
            if state is None:
                continue
            if isinstance(event, LogChunk):
                history.append(event.source, event.data)
                state.lines += event.lines
                if state.state != "live":
                    state.state, state.reason = "live", ""
            elif isinstance(event, StreamGap):
                history.append_marker(self.last_timestamp(), f"⚠ {state.label}: {event.reason}")
                state.gaps.append(event.reason)
            elif isinstance(event, StreamRestarted):
                history.append_marker(self.last_timestamp(), f"↻ {state.label}: the container restarted")
            elif isinstance(event, StreamConnected):
                state.state, state.reason = "live", ""
            elif isinstance(event, StreamWaiting):
                state.state, state.reason = "waiting", f"{event.reason} (asking again in {event.retry_in:.0f}s)"
            elif isinstance(event, StreamTrouble):
                state.state, state.reason = "reconnecting", f"{event.reason} (retrying in {event.retry_in:.1f}s)"
            elif isinstance(event, StreamEnded):
                state.state, state.reason = "ended", event.reason

    @property
    def status(self) -> str:
        """One phrase for all sources (see streams_status)."""
        return streams_status(self.sources)

    @property
    def gaps(self) -> int:
        """How many times lines may have gone missing, all sources together."""
        return sum(len(state.gaps) for state in self.sources)

    def last_timestamp(self) -> bytes:
        """The last line's timestamp: a marker line carries it, so it sorts and saves where it was written."""
        history = self.history
        return split_line(history.line(len(history) - 1))[0] if history is not None and len(history) else b""

    # ---------------------------------------------------------------- when to redraw

    def show_wait(self) -> float | None:
        """When to take the new lines and redraw: None when a frame is already planned (it takes them); else in how
        many seconds (0 or less: now). Less than SHOW_INTERVAL_S after the last frame, the next waits: a flood is
        taken and shown SHOW_INTERVAL_S apart (FLOOD_SHOW_INTERVAL_S after a frame that brought many lines). The
        lines wait in the feed meanwhile, so the UI thread wakes for them once a frame, not for every block the
        streams read (each wake-up waits for a core on a busy machine, and keys wait behind it)."""
        if self._show_planned:
            return None
        interval = FLOOD_SHOW_INTERVAL_S if self._last_frame_lines > FLOOD_LINES else SHOW_INTERVAL_S
        wait = self._shown_at + interval - self.clock()
        self._show_planned = wait > 0
        return wait

    def frame_due(self) -> None:
        """The timer of a planned frame ran out: the next `show_wait` says now."""
        self._show_planned = False

    def shown(self) -> None:
        """The screen redrew: the lines so far are on it."""
        self._show_planned = False
        self._shown_at = self.clock()
        self._last_frame_lines = self._added_since_show
        self._added_since_show = 0
