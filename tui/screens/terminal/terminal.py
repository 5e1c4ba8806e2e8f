"""The Terminal screen: shells inside pods and containers (and on this machine), one tab per session.

A session's output is read by a thread worker into an OutputBuffer and fed to its emulator in slices, each a turn
of the event loop, so a key never waits behind more than one slice; the screen is drawn at its frame rate whatever
the slices. During a flood the buffer leaves out the lines that would only scroll past the scrollback unseen
(tui/models/terminal/backlog.py), so the reader keeps up with the connection; output it cannot leave out makes the
reader wait once 2 MB are waiting. Sessions go on in their tabs while other screens are shown. `s` on the pod list
always starts a new process (leaving it never ends the pod); `a` attaches to the main process, with a warning.

A finished session's tab stays, readable, until `x` closes it; a closed tab's output is kept among the closed
sessions (`o`) to be read again. An interactive build's container is committed from its own tab (`C`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.markup import escape
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from tui.backends import Backends
from tui.messages import OpenCopyIn
from tui.models.pods.row import PodRow
from tui.models.terminal.closed_sessions import ClosedSession, ClosedSessions
from tui.models.terminal.echoes import EchoWatch
from tui.models.terminal.emulator import TerminalEmulator
from tui.models.terminal.shells import SUGGESTED_SHELLS, parse_command, workload_key
from tui.screens.common.base import AppScreen
from tui.screens.common.dialogs import ChoiceScreen, ConfirmScreen
from tui.screens.common.failures import Notice, report_failure
from tui.screens.common.forms import FormValues
from tui.screens.terminal.commit import CommitRequest, commit_container, commit_form
from tui.services.images.images import ImageService
from tui.services.images.last_pushed import LastPushed
from tui.services.terminal.docker_exec import DockerExecSession
from tui.services.terminal.kube_exec import KubeExecSession, pod_containers
from tui.services.terminal.local_pty import BASH_ELSE_SH, LocalPtySession, kubectl_exec_argv
from tui.services.terminal.session import OutputBuffer, SessionEnd, SessionError, TerminalSession
from tui.services.terminal.shell_choices import ShellChoices
from tui.widgets.terminal import ESCAPE_CHORD_DISPLAY, TerminalView

FRAME_S = 1 / 60
# During a flood what arrived meanwhile is fed at most this often: between two feeds the UI thread leaves the GIL
# to the reader (each TLS record it reads gives the GIL up once, and getting it back from a busy thread takes
# up to 5 ms), so the reader keeps up with the connection; a typed character's echo is fed as soon as it comes.
# (1/15 s was tried: the reader kept up more often, but p99 did not move and the end of a `cat` waited longer.)
FLOOD_FRAME_S = 1 / 30
EXIT_WAIT_S = 5.0
FEED_SLICE = 512 << 10  # fed in one turn (a few ms): keys and paints get theirs between slices during a flood
EMPTY_TEXT = (
    "[b]No terminal session.[/b]\n\n"
    "• On the [b]Pods[/b] screen ([b]1[/b]) select a pod and press [b]s[/b] for a shell in it - always a new "
    "process, so leaving it never ends the pod - or [b]a[/b] to attach to its main process.\n"
    "• Press [b]L[/b] here for a shell on this machine; on a pod's tab [b]K[/b] opens that pod in your own "
    "[b]kubectl exec -it[/b] (your kubectl, its plugins and proxy settings).\n\n"
    f"In a terminal every key goes to the program; [b]{ESCAPE_CHORD_DISPLAY}[/b] gives the keys back to the app, "
    "and the session goes on in its tab. [b]shift+PgUp/PgDn[/b] scroll back.\n"
    "A finished session stays readable until [b]x[/b] closes its tab; [b]o[/b] shows closed sessions again."
)


@dataclass(eq=False)
class SessionTab:
    """One session and what shows it."""

    pane_id: str
    session: TerminalSession
    emulator: TerminalEmulator
    output: OutputBuffer = field(default_factory=OutputBuffer)
    echoes: EchoWatch = field(default_factory=EchoWatch)  # characters typed whose echo should be seen
    view: TerminalView | None = None
    started: bool = False
    reader_done: bool = False
    failure: str = ""
    end: SessionEnd | None = None
    closed: bool = False
    last_drain: float = 0.0
    drain_scheduled: bool = False
    drain_timer: asyncio.TimerHandle | None = None  # the next flood frame's feed, while it has not started
    pod: PodRow | None = None  # for a shell in a pod: where a "shell command" choice applies
    mounted: bool = False  # its pane is in the tab bar (adding one takes a moment)

    described: str = ""

    @property
    def label(self) -> str:
        title = self.session.title
        if self.end is None:
            return title
        return f"✓ {title}" if self.end.clean else f"✗ {title}"


def _nothing(_data: bytes) -> None:
    """Where keys typed in a closed session's tab go: nowhere, its process is gone."""


def _nowhere(_columns: int, _lines: int) -> None:
    """A closed session's tab has no program to tell its size to."""


@dataclass
class TerminalOutput(Message):
    """A session's reader left output (or its end) for the UI: one message per batch, however many reads."""

    tab: SessionTab


@dataclass
class SessionStarted(Message):
    tab: SessionTab


class TerminalScreen(AppScreen):
    BINDINGS = [
        Binding("enter,i", "type", "Type", id="terminal.type"),
        Binding("x", "close_tab", "Close tab", id="terminal.close"),
        Binding("L", "local_shell", "Local shell", id="terminal.local"),
        Binding("S", "choose_shell", "Shell command…", id="terminal.shell-command"),
        Binding("K", "own_kubectl", "In my kubectl", id="terminal.kubectl"),
        Binding("C", "commit", "Commit this container", id="terminal.commit"),  # shown on a build container's tab
        Binding("u", "copy_in", "Copy in…", id="terminal.copy-in"),  # shown on a pod's tab
        Binding("o", "closed_sessions", "Closed sessions…", id="terminal.closed"),
        Binding("pageup", "scroll_tab(1)", "Scroll back", key_display="PgUp", show=False, id="terminal.page-back"),
        Binding("pagedown", "scroll_tab(-1)", "Scroll on", key_display="PgDn", show=False, id="terminal.page-on"),
        Binding("left_square_bracket", "switch_tab(-1)", "Prev tab", show=False, id="terminal.previous"),
        Binding("right_square_bracket", "switch_tab(1)", "Next tab", show=False, id="terminal.next"),
    ]
    DEFAULT_CSS = """
    TerminalScreen #terminal-info { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    TerminalScreen #terminal-info.-warning { color: $text-warning; text-style: bold; }
    TerminalScreen #terminal-info.-ended { color: $text-error; text-style: bold; }
    TerminalScreen #terminal-empty { margin: 1 2; padding: 1 2; border: round $primary; height: auto; }
    TerminalScreen #terminal-tabs { height: 1fr; display: none; }
    TerminalScreen.-has-tabs #terminal-tabs { display: block; }
    TerminalScreen.-has-tabs #terminal-empty { display: none; }
    TerminalScreen TabPane { padding: 0; }
    """

    def __init__(
        self, backends: Backends, shell_choices: ShellChoices | None = None, default_shell: str | None = None
    ) -> None:
        """`default_shell`: the settings' shell for a pod with no choice of its own (None: bash, else sh)."""
        super().__init__("terminal")
        self.backends = backends
        self.default_shell = default_shell
        self.title = "Terminal"
        self.tabs: dict[str, SessionTab] = {}
        self.shell_choices = shell_choices or ShellChoices()
        self.shells = self.shell_choices.load()
        self._ids = itertools.count(1)
        self.closed_sessions: ClosedSessions[SessionTab] = ClosedSessions()
        self._keys_shown = (False, False)  # C (a build container's tab) and u (a pod's tab) in the footer

    def compose_body(self) -> ComposeResult:
        yield Static("", id="terminal-info")
        yield Static(EMPTY_TEXT, id="terminal-empty")
        yield TabbedContent(id="terminal-tabs")

    def on_mount(self) -> None:
        self.update_info()

    def on_unmount(self) -> None:
        """The app exits: end every session's process, waiting a moment for the hang-ups to be done."""
        for tab in self.tabs.values():
            self._hang_up(tab)
        deadline = time.monotonic() + EXIT_WAIT_S
        for tab in self.tabs.values():
            tab.session.wait_closed(max(0.0, deadline - time.monotonic()))

    # ---------------------------------------------------------------- opening sessions

    def open_pod_shell(self, pod: PodRow, attach: bool = False) -> None:
        """A shell in the pod (a new process, bash else sh) or, with attach, its main process."""
        self.pick_container(pod, attach)

    @work(thread=True, group="terminal-open", exit_on_error=False)
    def pick_container(self, pod: PodRow, attach: bool) -> None:
        """Multi-container pods: ask which container (the default one first); otherwise open at once."""
        try:
            info = pod_containers(self.backends.kube, pod.namespace, pod.name)
        except SessionError:
            info = None  # exec may still be allowed where reading the pod is not: the server picks the container
        if info is not None and len(info.names) > 1:
            names = [info.default, *(n for n in info.names if n != info.default)] if info.default else info.names
            question = f"{'Attach to' if attach else 'Shell in'} which container of {pod.key}?"
            picker = ChoiceScreen(question, [n for n in names if n], info.default)
            self.app.call_from_thread(self.app.push_screen, picker, partial(self._container_chosen, pod, attach))
            return
        container = info.names[0] if info is not None and info.names else None
        self.app.call_from_thread(self._open_kube, pod, container, attach)

    def _container_chosen(self, pod: PodRow, attach: bool, container: str | None) -> None:
        if container:
            self._open_kube(pod, container, attach)

    def _open_kube(self, pod: PodRow, container: str | None, attach: bool) -> None:
        chosen = None if attach else self.shells.command_for(self.pod_key(pod), pod.image)
        if chosen is None and not attach and self.default_shell:
            try:
                chosen = parse_command(self.default_shell)
            except ValueError as exc:
                self.notify(f"the shell setting: {exc}; using bash, else sh", title="Shell", severity="warning")
        commands = [chosen] if chosen else None
        session = KubeExecSession(self.backends.kube, pod.namespace, pod.name, container, commands, attach=attach)
        self.open_session(session).pod = pod
        if attach:
            self.notify(session.warning, title="Attached", severity="warning", timeout=10)

    @staticmethod
    def pod_key(pod: PodRow) -> str:
        """Where a shell chosen for this pod is kept: its workload, so the pod that replaces it gets it too."""
        return workload_key(pod.namespace, pod.name, pod.labels)

    def open_container_shell(self, container_id: str, shell: str | None = None) -> None:
        """A shell in a running container (docker exec): the interactive image build. `shell` is a command line
        ("bash -l"); without one, bash else sh."""
        try:
            commands: list[tuple[str, ...]] | None = [parse_command(shell)] if shell else None
        except ValueError as exc:
            self.notify(str(exc), title="Shell command", severity="error")
            return
        self.open_session(DockerExecSession(self.backends.docker, container_id, commands))

    def open_local_shell(self) -> None:
        self.open_session(LocalPtySession())

    def open_local_command(self, argv: list[str], title: str, cwd: str | None = None) -> None:
        """A local program in its own tab (its own pseudo-terminal); closing the tab hangs it up."""
        self.open_session(LocalPtySession([tuple(argv)], cwd=cwd, title=title))

    def open_session(self, session: TerminalSession) -> SessionTab:
        """A new tab for the session; it connects once the tab has its size."""
        pane_id = f"term-{next(self._ids)}"
        emulator = TerminalEmulator(80, 24, reply=session.write)
        tab = SessionTab(pane_id, session, emulator, output=OutputBuffer(trim=emulator.skip_unseen))

        def send(data: bytes) -> None:
            tab.echoes.typed(data, tab.output.end, time.monotonic())
            tab.output.keep_echoes(tab.echoes.watched())  # its echo is not left out unseen
            session.write(data)

        tab.view = TerminalView(emulator, send=send, on_resize=session.resize, id=f"{pane_id}-view")
        self._add_tab(tab)
        return tab

    def reopen(self, closed: ClosedSession[SessionTab]) -> SessionTab:
        """A closed session's output in a tab again, read-only (its process is long gone)."""
        pane_id, old = f"term-{next(self._ids)}", closed.session
        end = old.end or SessionEnd(closed.why)
        tab = SessionTab(pane_id, old.session, old.emulator, started=True, reader_done=True, end=end, pod=old.pod)
        tab.view = TerminalView(old.emulator, send=_nothing, on_resize=_nowhere, id=f"{pane_id}-view")
        tab.view.ended = True
        self._add_tab(tab)
        return tab

    def _add_tab(self, tab: SessionTab) -> None:
        """Show the tab (and start its session, unless it has ended already)."""
        pane_id, view = tab.pane_id, tab.view
        assert view is not None
        self.tabs[pane_id] = tab
        self.add_class("-has-tabs")
        tabbed = self.query_one("#terminal-tabs", TabbedContent)

        async def added() -> None:
            try:
                await tabbed.add_pane(TabPane(tab.label, view, id=pane_id))
            except (NoMatches, ValueError) as exc:
                if self.app._exit or not tabbed.is_attached:
                    return  # the app quit (its widgets went) while the pane was being added: nothing to show
                report_failure(self, f"Opening the tab {tab.label}", exc)
                return
            tab.mounted = True
            if tab.closed:  # closed while its pane was being added: only now can the pane go
                await tabbed.remove_pane(pane_id)
                return
            tabbed.active = pane_id
            if tab.end is None:
                view.focus()
                self.call_after_refresh(self._start, tab)
            else:
                self._release(view)

        self.call_later(added)
        self.update_info()

    def _start(self, tab: SessionTab) -> None:
        view = tab.view
        assert view is not None
        columns, lines = view.size.width, view.size.height
        if columns < 2 or lines < 1:
            columns, lines = tab.emulator.columns, tab.emulator.lines
        else:
            tab.emulator.resize(columns, lines)
        self.pump(tab, columns, lines)

    @work(thread=True, group="terminal-sessions", exit_on_error=False)
    def pump(self, tab: SessionTab, columns: int, lines: int) -> None:
        """Connect, then read until the session ends; output waits in tab.output for the UI."""
        session = tab.session
        try:
            session.open(columns, lines)
        except Exception as exc:  # SessionError in words; anything else as what it is
            tab.failure = str(exc) if isinstance(exc, SessionError) else f"{type(exc).__name__}: {exc}"
            tab.reader_done = True
            self.post_message(TerminalOutput(tab))
            return
        self.post_message(SessionStarted(tab))
        while not tab.closed:
            data = session.read()
            if not data:
                break
            if tab.output.add(data):
                self.post_message(TerminalOutput(tab))
        tab.reader_done = True
        self.post_message(TerminalOutput(tab))

    def on_session_started(self, message: SessionStarted) -> None:
        message.tab.started = True
        if message.tab.closed:
            message.tab.session.close()
        self._relabel(message.tab)  # a container's session knows its container's name once connected
        self.update_info()

    # ---------------------------------------------------------------- output, in slices

    def on_terminal_output(self, message: TerminalOutput) -> None:
        tab = message.tab
        if tab.closed:
            return
        echo = tab.output.echo_came  # a typed character's echo came: fed now, not at the next flood frame
        if tab.drain_scheduled:
            if echo and tab.drain_timer is not None:
                tab.drain_timer.cancel()
                tab.drain_timer = None
                self._drain_next_turn(tab)
            return
        if not echo and time.monotonic() - tab.last_drain < FLOOD_FRAME_S:
            self._drain_later(tab)  # what arrives within a frame is fed together
        else:
            self._drain(tab)

    def _drain_later(self, tab: SessionTab) -> None:
        """At the next flood frame (an asyncio timer: a one-shot Textual timer whose short delay has passed before it
        starts never fires)."""
        tab.drain_scheduled = True
        wait = max(0.0, tab.last_drain + FLOOD_FRAME_S - time.monotonic())
        tab.drain_timer = asyncio.get_running_loop().call_later(wait, self._frame_due, tab)

    def _frame_due(self, tab: SessionTab) -> None:
        tab.drain_timer = None
        self.call_next(self._drain, tab)

    def _drain_next_turn(self, tab: SessionTab) -> None:
        """After what waits in the event loop, a key above all (a chain of call_next alone never yields to it).
        No timer: a one-shot Textual timer whose short delay has passed before it starts never fires."""
        tab.drain_scheduled = True
        asyncio.get_running_loop().call_soon(self.call_next, self._drain, tab)

    def _drain(self, tab: SessionTab) -> None:
        """Feed a slice of what waits. The rest (the reader posts no new message) comes in the next turn of the
        event loop when a whole slice was fed, else at the next flood frame - or, when the slice ends with a typed
        character's echo, once the screen has been drawn with it (jump scroll would otherwise carry it away unseen
        during a flood)."""
        tab.drain_scheduled = False
        tab.last_drain = time.monotonic()
        if tab.closed:
            return
        data = tab.output.take(FEED_SLICE)
        echo_end = None
        if data and tab.echoes:
            echo_end = tab.echoes.cut(data, tab.output.taken_at, tab.last_drain)
            tab.output.keep_echoes(tab.echoes.watched())
        if echo_end is not None:
            tab.output.put_back(data[echo_end:])
            data = data[:echo_end]
        if len(tab.output):
            if echo_end is not None and tab.view is not None:
                tab.drain_scheduled = True
                tab.view.after_paint(partial(self._drain, tab))
            elif len(data) >= FEED_SLICE:
                self._drain_next_turn(tab)  # behind: slice after slice
            else:
                self._drain_later(tab)  # what came meanwhile
        if data and tab.view is not None:
            tab.emulator.feed(data)
            tab.view.output_fed()
            if tab.described != tab.session.describe():  # e.g. which shell the image had
                self.update_info()
        if tab.reader_done and tab.end is None and not len(tab.output):
            self._ended(tab)

    def _ended(self, tab: SessionTab) -> None:
        """The tab stays, its output readable and scrollable, saying why it ended, until x closes it."""
        tab.end = SessionEnd(tab.failure) if tab.failure else (tab.session.end or SessionEnd("ended"))
        view = tab.view
        if view is not None:
            view.ended = True
            view.refresh()
            # Cut off (killed, connection lost, pod gone) while the user may be typing into it: it had started (it
            # printed something or was typed into), so what they type on is not taken as app keys (0 would switch
            # screens, u open a copy-in) until ctrl+]. A tab that never started (no kubectl, no shell) gives the
            # keys back at once: nobody was typing into it.
            started = view.typed or tab.emulator.bytes_fed > 0
            view.holding = view.has_focus and started and not tab.end.clean
            if view.has_focus and not view.holding:
                self._release(view)
        self._relabel(tab)
        self.update_info()

    # ---------------------------------------------------------------- tabs

    @property
    def active_tab(self) -> SessionTab | None:
        try:
            tabbed = self.query_one("#terminal-tabs", TabbedContent)
        except NoMatches:  # asked (by the footer) before the screen is composed
            return None
        return self.tabs.get(tabbed.active) if tabbed.active else None

    def _relabel(self, tab: SessionTab) -> None:
        tabbed = self.query_one("#terminal-tabs", TabbedContent)
        with contextlib.suppress(Exception):  # the tab is not mounted yet, or already gone
            tabbed.get_tab(tab.pane_id).label = tab.label

    def close_tab(self, pane_id: str) -> None:
        """Close a tab: its session's process ends (only that process - never the pod or the container); its
        output is kept among the closed sessions."""
        tab = self.tabs.pop(pane_id, None)
        if tab is None:
            return
        self._hang_up(tab)
        detached = isinstance(tab.session, KubeExecSession) and tab.session.attach
        why = tab.end.reason if tab.end is not None else "detached" if detached else "closed while running"
        tab.view = None  # the widget goes with the pane; the emulator keeps the output
        tab.output.take()  # what was read but not shown yet would only hold memory
        self.closed_sessions.add(tab.session.title, why, tab.emulator, tab, datetime.now())
        tabbed = self.query_one("#terminal-tabs", TabbedContent)
        if tab.mounted:  # else the pane goes once it is added
            tabbed.remove_pane(pane_id)
        if not self.tabs:
            self.remove_class("-has-tabs")
        self.call_after_refresh(self.update_info)

    def _hang_up(self, tab: SessionTab) -> None:
        tab.closed = True
        tab.output.close()
        tab.session.close()

    @on(TabbedContent.TabActivated, "#terminal-tabs")
    def tab_activated(self) -> None:
        self.update_info()

    def on_descendant_focus(self) -> None:
        self.update_info()

    def on_descendant_blur(self) -> None:
        self.update_info()

    def on_terminal_view_released(self, message: TerminalView.Released) -> None:
        self._release(message.view)
        self.update_info()

    def _release(self, view: TerminalView) -> None:
        """The keys are the app's again: focus the tab bar (arrows switch tabs, enter types again)."""
        tabs = self.query_one("#terminal-tabs", TabbedContent).query(Tabs)
        if tabs:
            tabs.first().focus()
        else:
            self.set_focus(None)
        self.update_info()

    def update_info(self) -> None:
        info = self.query_one("#terminal-info", Static)
        info.remove_class("-warning", "-ended")
        tab = self.active_tab
        keys_shown = (self.build_container_session(tab) is not None, tab is not None and tab.pod is not None)
        if self._keys_shown != keys_shown:
            self._keys_shown = keys_shown
            self.refresh_bindings()  # C shows in the footer on a build container's tab only, u on a pod's
        if tab is None:
            info.update("" if not self.tabs else f"{len(self.tabs)} sessions")
            return
        session = tab.session
        if tab.end is not None:
            info.add_class("-ended")
            holding = tab.view is not None and tab.view.holding
            then = "ctrl+] gives the keys back, then x closes the tab" if holding else "x closes the tab"
            info.update(f"session ended: {escape(tab.end.reason)}   ({then})")
        elif not tab.started:
            info.update(f"connecting: {escape(session.title)} …")
        elif session.warning:
            info.add_class("-warning")
            info.update(escape(session.warning))
        else:
            tab.described = session.describe()
            typing = tab.view is not None and tab.view.has_focus
            keys = f"{ESCAPE_CHORD_DISPLAY} gives the keys back to the app" if typing else "enter: type here"
            if self._keys_shown[0]:
                keys += f"{', then' if typing else ' ·'} C commits this container to an image"
            info.update(f"{escape(session.title)} · {escape(session.describe())} · {keys}")

    # ---------------------------------------------------------------- actions (when the keys are the app's)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "commit":
            return self.build_container_session(self.active_tab) is not None
        if action == "copy_in":
            tab = self.active_tab
            return tab is not None and tab.pod is not None
        return True

    @staticmethod
    def build_container_session(tab: SessionTab | None) -> DockerExecSession | None:
        """The tab's session when it is a live shell in an interactive build's container (one the Images screen
        started: its label or its name says so)."""
        session = tab.session if tab is not None and tab.end is None else None
        if isinstance(session, DockerExecSession) and session.build_container:
            return session
        return None

    def action_type(self) -> None:
        tab = self.active_tab
        if tab is not None and tab.view is not None and tab.end is None:
            tab.view.focus()
            self.update_info()

    def action_close_tab(self) -> None:
        tab = self.active_tab
        if tab is None:
            return
        detaches = isinstance(tab.session, KubeExecSession) and tab.session.attach
        if tab.end is not None or detaches:
            self.close_tab(tab.pane_id)  # nothing runs that closing would end (attach only detaches)
            return
        question = (
            f"Close {tab.session.title}? Its process ends, with anything still running in it "
            "(the pod or container keeps running)."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.close_tab(tab.pane_id)

        self.app.push_screen(ConfirmScreen(question, "Close"), answered)

    def action_local_shell(self) -> None:
        self.open_local_shell()

    def action_choose_shell(self) -> None:
        """The shell for new sessions in the active tab's pod (kept for its workload and its image) or container
        (kept for its image); saved for later runs, and a new tab starts it now."""
        tab = self.active_tab
        session = tab.session if tab is not None else None
        if tab is not None and tab.pod is not None and isinstance(session, KubeExecSession) and not session.attach:
            key, image, where = (
                self.pod_key(tab.pod),
                tab.pod.image,
                f"{self.pod_key(tab.pod)} (its pods) and image {tab.pod.image}",
            )
        elif tab is not None and isinstance(session, DockerExecSession) and session.image:
            key, image, where = None, session.image, f"containers of image {session.image}"
        else:
            self.notify("open a shell in a pod first (s on the pod list)", title="Shell command", severity="warning")
            return
        current = " ".join(self.shells.command_for(key, image) or ())
        question = f"Shell for {where} (type any command; kept for later runs)"
        picker = ChoiceScreen(question, SUGGESTED_SHELLS, current or None)
        self.app.push_screen(picker, partial(self._shell_chosen, tab, key, image))

    def _shell_chosen(self, tab: SessionTab, key: str | None, image: str, text: str | None) -> None:
        if not text:
            return
        try:
            command = parse_command(text)
        except ValueError as exc:
            self.notify(str(exc), title="Shell command", severity="error")
            return
        self.shells.remember(key, image, command)
        try:
            self.shell_choices.save(self.shells)
        except OSError as exc:
            self.notify(f"kept for this run only: cannot write {self.shell_choices.path}: {exc.strerror}",
                        title="Shell command", severity="warning")  # fmt: skip
        session = tab.session
        if tab.pod is not None and isinstance(session, KubeExecSession):
            self._open_kube(tab.pod, session.container, attach=False)
        elif isinstance(session, DockerExecSession):
            self.open_session(DockerExecSession(self.backends.docker, session.container_id, [command]))

    def action_own_kubectl(self) -> None:
        """The active pod tab's pod in the user's own `kubectl exec -it` (same kubeconfig and context), in a new
        tab: for clusters where their kubectl works better (its credential plugins, proxies, versions)."""
        tab = self.active_tab
        session = tab.session if tab is not None else None
        if not isinstance(session, KubeExecSession) or session.attach:
            self.notify("K opens a pod's shell tab in your kubectl: open a shell in a pod first (s on the pod list)",
                        title="kubectl", severity="warning")  # fmt: skip
            return
        command = session.command if tab is not None and tab.started and session.command else None
        argv = kubectl_exec_argv(session.namespace, session.pod, session.container, command or BASH_ELSE_SH,
                                 context=self.backends.kube.context)  # fmt: skip
        env = dict(os.environ, KUBECONFIG=os.pathsep.join(self.backends.kube.kubeconfig_files))
        where = f"{session.namespace}/{session.pod}" + (f" ({session.container})" if session.container else "")
        self.open_session(LocalPtySession([tuple(argv)], env=env, title=f"kubectl {where}"))

    def action_copy_in(self) -> None:
        """u: a local file or folder into the active tab's pod, by the pod list's own copy-in flow."""
        tab = self.active_tab
        if tab is None or tab.pod is None:
            self.notify("u copies into the pod of a shell tab: open a shell in a pod first (s on the pod list)",
                        title="Copy in", severity="warning")  # fmt: skip
            return
        self.post_message(OpenCopyIn(tab.pod))

    def action_commit(self) -> None:
        """The active tab's build container as an image, asked as on the Images screen (C there)."""
        session = self.build_container_session(self.active_tab)
        if session is None:
            self.notify("C commits the container of an interactive build from its shell tab (I on the Images screen "
                        "starts one)", title="Commit", severity="warning")  # fmt: skip
            return
        form = commit_form(session.container_name, session.image, LastPushed().get())
        self.app.push_screen(form, partial(self._commit_asked, session))

    def _commit_asked(self, session: DockerExecSession, values: FormValues | None) -> None:
        if values:
            self.commit(session, CommitRequest.from_values(values))  # the form checked them

    @work(thread=True, group="terminal-commit", exit_on_error=False)
    def commit(self, session: DockerExecSession, request: CommitRequest) -> None:
        """Commit (then remove, when asked): removing ends the tab's shell, and the tab says it was committed."""
        docker = self.backends.docker
        try:
            service = ImageService(docker.client())
        except Exception as exc:
            self.post_message(Notice(docker.explain(exc), title="Commit", severity="error", timeout=10, error=exc))
            return
        commit_container(service, session.container_id, request, self.post_message)

    def action_closed_sessions(self) -> None:
        """Closed tabs' output, newest first: the chosen one opens again, read-only."""
        labels = [closed.label for closed in self.closed_sessions]
        if not labels:
            self.notify("none yet: x on a tab closes it and keeps its output here", title="Closed sessions")
            return
        question = "Read a closed session again (its output, read-only)"
        self.app.push_screen(ChoiceScreen(question, labels, labels[0]), self._closed_chosen)

    def _closed_chosen(self, label: str | None) -> None:
        closed = self.closed_sessions.take(label) if label else None
        if closed is not None:
            self.reopen(closed)

    def action_scroll_tab(self, pages: int) -> None:
        """PgUp/PgDn scroll the active tab (while typing, shift+PgUp/PgDn do: plain PgUp is the program's)."""
        tab = self.active_tab
        if tab is not None and tab.view is not None:
            tab.view.action_scrollback(pages)

    def action_switch_tab(self, step: int) -> None:
        if len(self.tabs) < 2:
            return
        tabbed = self.query_one("#terminal-tabs", TabbedContent)
        ids = list(self.tabs)
        current = ids.index(tabbed.active) if tabbed.active in ids else 0
        tabbed.active = ids[(current + step) % len(ids)]
