"""The Logs screen: follow one or more containers' logs, keep every line, search and filter all of them.

One thread worker per container follows its LogStream and leaves events in a LogFeed; the UI thread takes them once
a frame (one message per batch, however many lines), has the LogSession append them to the LogHistory (memory
window + temp file) and checks only the new lines against an active search or filter. The session holds the
streams and paces the flood; this screen runs their workers and timers. Searching or filtering the whole history
runs in a worker, block by block, while lines keep coming.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from tui.models.logs.lines import DEFAULT_TAIL_LINES, LogRange, parse_range, since_choices
from tui.models.logs.match import LogMatcher
from tui.models.pods.row import PodRow
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.common.failures import Notice
from tui.screens.common.timers import call_after
from tui.screens.logs.search import LogSearchScreen
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.logs.archived import ArchivedLogSession, NoRunLogs, RunLogs, load_run_logs
from tui.services.logs.containers import PodContainers
from tui.services.logs.feed import LogFeed
from tui.services.logs.history import LogHistory
from tui.services.logs.save import SaveJob
from tui.services.logs.session import ALL_CONTAINERS, LogSession, log_targets
from tui.services.logs.stream import LogStream
from tui.services.runs.store import RunStore
from tui.widgets.log_view import LogView

EMPTY_HINT = (
    "No pod chosen yet.\n\n"
    "Press o to pick a pod here (or type -l app=web to follow every pod of a label selector),\n"
    "or go to Pods (1), move to a pod and press l — space marks several pods first; p shows a crashed\n"
    "container's previous log."
)

# A newcomer ran a script in a shell, then looked for its output here: a muted line under the info line says where.
SOURCE_HINT = (
    "the container's output (its main process) · what you ran in a shell (s on a pod) is in its Terminal tab (3)"
)


@dataclass
class LogsPending(Message):
    """Stream threads left events in `feed` (one message per batch)."""

    feed: LogFeed


class LogsScreen(LogSearchScreen):
    BINDINGS = [
        Binding("slash", "prompt('search')", "Search", id="logs.search"),
        Binding("n", "next_hit(1)", "Next", id="logs.next"),
        Binding("N", "next_hit(-1)", "Prev", id="logs.previous-hit"),
        Binding("ampersand", "prompt('filter')", "Filter", id="logs.filter"),
        Binding("ctrl+r", "toggle_regex", "Regex", id="logs.regex"),
        Binding("escape", "clear", "Clear", id="logs.clear"),
        Binding("f", "toggle_follow", "Follow", id="logs.follow"),
        Binding("c", "pick_container", "Container", id="logs.container"),
        Binding("p", "toggle_previous", "Previous", id="logs.previous"),
        Binding("r", "pick_range", "Since", id="logs.range"),
        Binding("t", "toggle_look('timestamps')", "Time", id="logs.timestamps"),
        Binding("w", "toggle_look('wrap')", "Wrap", id="logs.wrap"),
        Binding("J", "toggle_look('pretty_json')", "JSON", id="logs.json"),
        Binding("o", "pick_pods", "Pods…", id="logs.pods"),
        Binding("ctrl+s", "prompt('save')", "Save…", id="logs.save"),
        Binding("C", "cloud_logging", "Cloud Logging", show=False, id="logs.cloud-logging"),  # (help: ?)
    ]
    DEFAULT_CSS = """
    LogsScreen #logs-info { height: 1; padding: 0 1; color: $text-muted; }
    LogsScreen #logs-source { height: 1; padding: 0 1; color: $text-muted; text-style: italic; display: none; }
    LogsScreen.-open #logs-source { display: block; }
    LogsScreen #logs-empty { padding: 1 2; height: 1fr; }
    LogsScreen #logs-new { dock: bottom; height: 1; padding: 0 1; display: none; background: $warning 30%;
        text-style: bold; }
    LogsScreen #logs-new.-active { display: block; }
    LogsScreen #logs-prompt { dock: bottom; display: none; }
    LogsScreen #logs-prompt.-active { display: block; }
    LogsScreen LogView { display: none; }
    LogsScreen.-open LogView { display: block; }
    LogsScreen.-open #logs-empty { display: none; }
    """

    def __init__(self, kube: KubeService, tail_lines: int | None = DEFAULT_TAIL_LINES) -> None:
        """`tail_lines`: how many of a log's last lines a new stream starts with (the setting; None or 0: all)."""
        super().__init__("logs")
        self.kube = kube
        self.title = "Logs"
        self.tail_lines = tail_lines if tail_lines and tail_lines > 0 else None
        self.pods: list[PodContainers] = []
        self.container_choice: str | None = None  # None: each pod's default container
        self.previous = False
        self.log_range = LogRange(self.tail_lines)
        self.session = LogSession(kube)
        self.run_logs: RunLogs | None = None  # a run's archived logs are shown (not pods followed)
        self.new_lines = 0
        self.prompt_mode = ""

    @property
    def history(self) -> LogHistory | None:
        return self.session.history

    def compose_body(self) -> ComposeResult:
        yield Static("", id="logs-info")
        yield Static(SOURCE_HINT, id="logs-source", markup=False)
        yield Static(EMPTY_HINT, id="logs-empty", markup=False)
        yield LogView(id="logs")
        yield Static("", id="logs-new")
        yield Input(id="logs-prompt")

    def on_mount(self) -> None:
        self.update_info()

    def on_unmount(self) -> None:
        self.session.stop()

    # ---------------------------------------------------------------- choosing what to follow

    def open_logs(self, pods: list[PodRow], previous: bool = False) -> None:
        """Follow these pods (merged, with prefixes when more than one), or their previous containers."""
        self.previous = previous
        self.container_choice = None
        self.resolve([(pod.namespace, pod.name) for pod in pods], "")

    @work(thread=True, group="logs-resolve", exclusive=True, exit_on_error=False)
    def resolve(self, names: list[tuple[str, str]], selector: str) -> None:
        """Read the pods (their containers) before following them; a selector lists the pods it picks."""
        pods, problems = self.session.find_pods(names, selector)
        self.app.call_from_thread(self._resolved, pods, problems)

    def _resolved(self, pods: list[PodContainers], problems: list[str]) -> None:
        if problems:
            self.notify("\n".join(problems), title="Logs", severity="error", timeout=10)
        if not pods:
            return
        if self.run_logs is not None:  # from a run's archive back to following pods
            self.session.stop()
            self.session, self.run_logs = LogSession(self.kube), None
            self.sub_title = ""
        self.pods = pods
        many = [pod for pod in pods if len(pod.containers) > 1]
        if self.container_choice is None and many and len(pods) == 1:
            self._say_default_container(many[0])
        self.start()

    def _say_default_container(self, pod: PodContainers) -> None:
        others = ", ".join(c for c in pod.containers if c != pod.default)
        self.notify(f"showing container {pod.default} (also: {others}); c picks another or all", title="Logs")

    def open_run_logs(self, run_id: str, cloud: bool = False) -> None:
        """Show a run's archived log (kept by the run follower): also after its pod was deleted; `cloud`: its log in
        Cloud Logging instead (a GKE run's)."""
        self.load_run_logs(run_id, cloud)

    @work(thread=True, group="logs-resolve", exclusive=True, exit_on_error=False)
    def load_run_logs(self, run_id: str, cloud: bool = False) -> None:
        store = RunStore()
        try:
            run_logs = load_run_logs(store, run_id, cloud_logging=cloud)
        except NoRunLogs as exc:
            self.post_message(Notice(str(exc), title="Logs", severity="error"))
            return
        self.app.call_from_thread(self._run_logs_loaded, run_logs, store)

    def _run_logs_loaded(self, run_logs: RunLogs, store: RunStore) -> None:
        self.session.stop()
        self.session, self.run_logs = ArchivedLogSession(self.kube, run_logs, store), run_logs
        self.sub_title = run_logs.label
        self.pods = [run_logs.pod]
        self.previous, self.container_choice = False, None
        if len(run_logs.pod.containers) > 1:
            self._say_default_container(run_logs.pod)
        self.start()

    def start(self) -> None:
        """(Re)start following: a new history, one stream per container."""
        targets = log_targets(self.pods, self.container_choice)
        followed = self.session.start(targets, self.log_range, self.previous)
        self.new_lines = 0
        self.add_class("-open")
        assert self.history is not None
        self.view.show(self.history, [label for _, label in targets])
        self._restart_scans()
        self.view.placeholder = self._placeholder()
        for stream, feed in followed:
            self.follow_stream(stream, feed)
        self.view.focus()
        self.update_info()

    @work(thread=True, group="logs-streams", exit_on_error=False)
    def follow_stream(self, stream: LogStream, feed: LogFeed) -> None:
        self.session.follow(stream, feed, lambda: self.post_message(LogsPending(feed)))

    # ---------------------------------------------------------------- lines come in

    async def on_logs_pending(self, message: LogsPending) -> None:
        """Take what the streams left when the next frame is due (the session says when: the lines wait in the feed
        till then), a slice at a time; between slices the event loop runs (keys are handled), so a flood never
        freezes the UI however far ahead the streams are. Then one redraw for them all."""
        feed, session = message.feed, self.session
        if feed is not session.feed:
            return
        if (wait := session.merge_wait(feed)) > 0:
            if session.plan_merge():
                call_after(self, wait, lambda: self._merge_due(feed))
            return
        frame_in = session.show_wait()
        if frame_in is None:  # a frame is planned: it takes these lines
            return
        if frame_in > 0:
            call_after(self, frame_in, self._frame_due)
            return
        more = True
        while more and feed is session.feed:
            first, added, more = session.take(feed)
            if added:
                self._check_new_lines(first)
                if not self.view.following:
                    self.new_lines += added
            if more:
                await asyncio.sleep(0)
        if feed is session.feed:
            self._show()

    def _merge_due(self, feed: LogFeed) -> None:
        self.session.merge_due()
        self.post_message(LogsPending(feed))

    def _frame_due(self) -> None:
        """A planned frame: take what the streams left meanwhile (in the log followed now, which may have changed)."""
        self.session.frame_due()
        if self.session.feed is not None:
            self.post_message(LogsPending(self.session.feed))

    def _show(self) -> None:
        self.session.shown()
        if self.history is None:
            return
        if self.filter_rows is not None:
            self.view.rows = self.filter_rows.lines()
        self.view.placeholder = self._placeholder()
        self.view.lines_changed()
        self.update_info()

    def _placeholder(self) -> str:
        """What the empty view says."""
        if self.filter is not None and len(self.history or ()) > 0:
            return f"no line matches {self.filter.label}"
        status = self.session.status
        return status if status.startswith(("reconnecting", "stream ended")) else "waiting for logs…"

    # ---------------------------------------------------------------- the info line

    def update_info(self) -> None:
        info = self.query_one("#logs-info", Static)
        if not self.pods:
            info.update(f"Logs: no pod chosen · {escape(self.log_range.label)} (r: since)", layout=False)
            return
        history = self.history
        lines = len(history) if history is not None else 0
        targets = log_targets(self.pods, self.container_choice)
        if self.run_logs is not None or len(self.pods) == 1:
            where = self.run_logs.label if self.run_logs is not None else self.pods[0].key
            names = [t.container for t, _ in targets]
            where += f" [{', '.join(names)}]" if len(names) <= 3 else f" [{len(names)} containers]"
        else:
            where = f"{len(self.pods)} pods"
        parts = [escape(where)]
        if self.previous:
            parts.append("[$text-warning]previous container[/]")
        parts.append(f"{lines:,} lines")
        if self.run_logs is None:  # (an archived log is shown whole)
            parts.append(escape(self.log_range.label))
        if self.search is not None and self.search_hits is not None:
            hits = self.search_hits
            current = self.view.current
            rank = f"{hits.position(current)}/" if current is not None and len(hits) else ""
            scanning = "" if hits.done else " (searching…)"
            parts.append(f"search {escape(self.search.label)}: {rank}{len(hits):,} hits{scanning}")
        if self.filter is not None and self.filter_rows is not None:
            scanning = "" if self.filter_rows.done else " (filtering…)"
            parts.append(f"filter {escape(self.filter.label)}: {len(self.filter_rows):,} lines{scanning}")
        gaps = self.session.gaps
        if gaps:
            parts.append(f"[$text-warning]{gaps} gap{'s' if gaps != 1 else ''} (lines may be missing)[/]")
        parts.append("following" if self.view.following else "[$text-warning]paused[/]")
        status = self.session.status
        colour = "$text-success" if status.startswith("live") else "$text-warning"
        if status.startswith("reconnecting"):
            colour = "$text-error"
        parts.append(f"[{colour}]{escape(status)}[/]")
        info.update(" · ".join(parts), layout=False)
        marker = self.query_one("#logs-new", Static)
        paused = not self.view.following and self.new_lines > 0
        if paused:
            marker.update(f"▼ {self.new_lines:,} new lines — f or End to follow", layout=False)
        if marker.has_class("-active") != paused:  # (changing classes restyles: not on every batch)
            marker.set_class(paused, "-active")

    def on_log_view_follow_changed(self, message: LogView.FollowChanged) -> None:
        if message.following:
            self.new_lines = 0
        self.update_info()

    # ---------------------------------------------------------------- toggles

    def action_toggle_follow(self) -> None:
        self.view.set_following(not self.view.following)
        if self.view.following:
            self.new_lines = 0
        self.update_info()

    def action_toggle_look(self, what: str) -> None:
        look = self.view.look
        setattr(look, what, not getattr(look, what))
        self.view.redraw()
        names = {"timestamps": "timestamps", "wrap": "wrap", "pretty_json": "JSON pretty-print"}
        self.notify(f"{names[what]} {'on' if getattr(look, what) else 'off'}", timeout=2)

    def action_toggle_previous(self) -> None:
        if not self.pods:
            self.notify("no pod chosen: press o", severity="warning")
            return
        if self.run_logs is not None:
            self.notify("an archived log holds every run of its container: there is no previous one", timeout=4)
            return
        self.previous = not self.previous
        self.start()

    def action_cloud_logging(self) -> None:
        """A run's log from Cloud Logging in place of its archive (where the archive has a gap), and back."""
        if self.run_logs is None:
            self.notify("Cloud Logging reads a run's log: open one first (l on Runs, 9)", severity="warning")
            return
        self.open_run_logs(self.run_logs.run.id, cloud=bool(self.run_logs.archives))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._prompt_placeholder()
        self.notify(f"search and filter: {'regular expression' if self.regex else 'text'}", timeout=2)

    # ---------------------------------------------------------------- pickers

    def action_pick_container(self) -> None:
        if not self.pods:
            self.notify("no pod chosen: press o", severity="warning")
            return
        names = list(dict.fromkeys(name for pod in self.pods for name in pod.containers))
        current = self.container_choice or (self.pods[0].default if len(self.pods) == 1 else None)

        def chosen(choice: str | None) -> None:
            if choice and choice != self.container_choice:
                self.container_choice = choice
                self.start()

        self.app.push_screen(ChoiceScreen("Container", [ALL_CONTAINERS, *names], current), chosen)

    def action_pick_range(self) -> None:
        if self.run_logs is not None:
            self.notify("an archived log is shown whole: every line archived", timeout=4)
            return
        tail = self.tail_lines or DEFAULT_TAIL_LINES
        choices = since_choices(tail)
        current = next((name for name, value in choices.items() if value == self.log_range), None)

        def chosen(choice: str | None) -> None:
            if not choice:
                return
            log_range = parse_range(choice, tail)
            if log_range is None:
                self.notify(f"not a range: {choice} (e.g. 5m, 2h, or 5000 for the last 5,000 lines)", severity="error")
                return
            self.log_range = log_range
            if self.pods:
                self.start()
            self.update_info()

        title = "Since (or type 30s, 2h, 3d, or a number of lines)"
        self.app.push_screen(ChoiceScreen(title, list(choices), current), chosen)

    @work(thread=True, group="logs-resolve", exclusive=True, exit_on_error=False)
    def action_pick_pods(self) -> None:
        names, problem = self.session.pod_names()
        everywhere = self.kube.namespace == ALL_NAMESPACES
        where = "all namespaces" if everywhere else f"namespace {self.kube.namespace}"
        picker = ChoiceScreen(f"Pod in {where} (or -l label=selector)", names, None, problem)
        self.app.call_from_thread(self.app.push_screen, picker, self._pods_chosen)

    def _pods_chosen(self, choice: str | None) -> None:
        if not choice:
            return
        self.previous = False
        self.container_choice = None
        if choice.startswith("-l"):
            self.resolve([], choice[2:].strip())
        elif "/" in choice:
            namespace, name = choice.split("/", 1)
            self.resolve([(namespace, name)], "")
        else:
            self.resolve([(self.kube.namespace, choice)], "")

    # ---------------------------------------------------------------- the prompt: search, filter, save

    def action_prompt(self, mode: str) -> None:
        if not self.pods:
            self.notify("no pod chosen: press o", severity="warning")
            return
        box = self.query_one("#logs-prompt", Input)
        self.prompt_mode = mode
        if mode == "save":
            box.value = str(Path.cwd() / self._default_file_name())
        elif mode == "search":
            box.value = self.search.text if self.search else ""
        else:
            box.value = self.filter.text if self.filter else ""
        self._prompt_placeholder()
        box.add_class("-active")
        box.focus()

    def _prompt_placeholder(self) -> None:
        box = self.query_one("#logs-prompt", Input)
        kind = "regular expression" if self.regex else "text"
        if self.prompt_mode == "save":
            shown = len(self.filter_rows) if self.filter is not None and self.filter_rows else len(self.history or ())
            what = "the filtered lines" if self.filter is not None else "every line"
            box.placeholder = f"save {what} ({shown:,}) to file — Enter: save, Esc: cancel"
        else:
            box.placeholder = f"{self.prompt_mode} ({kind}; ctrl+r: switch) — Enter: apply, Esc: cancel"

    def _default_file_name(self) -> str:
        name = self.pods[0].pod if len(self.pods) == 1 else "pods"
        return f"{name}-{datetime.now():%Y%m%d-%H%M%S}.log"

    def _close_prompt(self) -> None:
        box = self.query_one("#logs-prompt", Input)
        box.remove_class("-active")
        self.prompt_mode = ""
        self.view.focus()

    @on(Input.Submitted, "#logs-prompt")
    def prompt_submitted(self, event: Input.Submitted) -> None:
        mode, text = self.prompt_mode, event.value
        if mode == "save":
            self._close_prompt()
            self.save(text.strip())
            return
        matcher: LogMatcher | None = None
        if text:
            try:
                matcher = LogMatcher(text, self.regex)
            except re.error as exc:
                self.notify(f"not a valid regular expression: {exc}", severity="error")
                return
        self._close_prompt()
        if mode == "search":
            self.set_search(matcher)
        else:
            self.set_filter(matcher)

    def action_clear(self) -> None:
        if self.prompt_mode:
            self._close_prompt()
        elif self.search is not None:
            self.set_search(None)
        elif self.filter is not None:
            self.set_filter(None)

    # ---------------------------------------------------------------- save

    def save(self, text: str) -> None:
        """Save what the view holds (every line, or the filtered ones) as shown: prefixes, timestamps if on."""
        if not text or self.history is None:
            return
        path = Path(os.path.expanduser(text))
        if path.is_dir():
            path = path / self._default_file_name()
        rows = self.filter_rows.lines()[:] if self.filter is not None and self.filter_rows is not None else None
        labels = [label.encode() + b" " for label in self.view.labels] if len(self.view.labels) > 1 else []
        job = SaveJob(self.history, path, rows, labels, self.view.look.timestamps, len(self.history))
        if path.exists():

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.write_file(job, overwrite=True)

            size = path.stat().st_size
            question = f"{path} exists ({size:,} bytes). Overwrite it?"
            self.app.push_screen(ConfirmScreen(question, "Overwrite"), confirmed)
        else:
            self.write_file(job, overwrite=False)

    @work(thread=True, group="logs-save", exit_on_error=False)
    def write_file(self, job: SaveJob, overwrite: bool) -> None:
        try:
            written = job.run(overwrite)
        except FileExistsError:
            self.post_message(Notice(f"{job.path} appeared meanwhile: not overwritten", severity="error"))
        except OSError as exc:
            problem = f"cannot save to {job.path}: {exc.strerror or exc}"
            self.post_message(Notice(problem, severity="error", error=exc))
        except Exception as exc:  # the history was replaced (new pods) while saving
            self.post_message(Notice(f"save interrupted: {exc}", severity="error", error=exc))
        else:
            self.post_message(Notice(f"saved {written:,} lines to {job.path}", title="Save"))
