"""The k8sx-tui App: one mode per job, global key bindings, backend health in the status line."""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES
from textual.widgets import Input
from textual.worker import get_current_worker

from tui.backends import Backends
from tui.keymap import bindings_with_ids, check_keymap, node_classes
from tui.messages import (
    ClusterHealthChanged,
    EngineHealthChanged,
    KubeTargetChanged,
    OpenContainerShell,
    OpenCopyIn,
    OpenLocalCommand,
    OpenLogs,
    OpenPush,
    OpenRunLogs,
    OpenShell,
    PodsDeployed,
)
from tui.models.health import ClusterHealth, EngineHealth, Reachability
from tui.screens.common.cleanup import Puller
from tui.screens.common.failures import Notice, WorkerFailures, report_failure
from tui.screens.common.help import HelpScreen, binding_entries, help_groups
from tui.screens.common.leave import LeaveChoice, LeaveScreen, delete_then_leave
from tui.screens.deploy.project_forwards import forward_project_in
from tui.screens.forward.registry import restore_kept_forwards
from tui.screens.nodes.messages import ShowPodsOnNode
from tui.screens.pods.pods import PodsScreen
from tui.screens.runs.messages import PullRunResults
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES
from tui.settings import DEFAULT_THEME, Settings
from tui.themes import bundled_theme_dir, fallback_variables, load_themes, user_theme_dir

# The other modes' screens are imported when first shown (see _make_screen): each brings its services and their
# libraries (the docker SDK, the kubernetes client, the terminal emulator...), which the first screen does not need.
if TYPE_CHECKING:
    from tui.services.docker.build_containers import RunningBuild
    from tui.services.forward.manager import ForwardManager
    from tui.services.pods.experiment_pods import ExperimentPod
    from tui.services.runs.follower import RunFollower

log = logging.getLogger(__name__)

HEALTHY_RECHECK_S = 10.0
WORKER_THREADS = 256  # long-lived workers (streams, watches, terminal tabs) plus room for short ones
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 30.0
LEAVE_CHECK_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ModeInfo:
    name: str
    key: str
    title: str
    purpose: str
    module: str  # where its screen is, imported when the mode is first shown


MODE_INFOS = (
    ModeInfo("pods", "1", "Pods", "The pods of the namespace, live.", "tui.screens.pods.pods"),
    ModeInfo(
        "logs",
        "2",
        "Logs",
        "Follow, search and filter a pod's logs without dropping a line (open with l on a pod).",
        "tui.screens.logs.logs",
    ),
    ModeInfo(
        "terminal",
        "3",
        "Terminal",
        "A shell inside a pod or container, embedded in the app; leaving it never kills the pod.",
        "tui.screens.terminal.terminal",
    ),
    ModeInfo(
        "images",
        "4",
        "Images",
        "Local images; build from a Dockerfile, or interactively in a container and commit.",
        "tui.screens.images.images",
    ),
    ModeInfo(
        "push",
        "5",
        "Push",
        "Tag and push an image to a registry, one progress bar per layer.",
        "tui.screens.images.push",
    ),
    ModeInfo(
        "deploy",
        "6",
        "Deploy",
        "Apply a pod YAML with the last pushed image, copy data in, pull results out.",
        "tui.screens.deploy.deploy",
    ),
    ModeInfo(
        "doctor",
        "7",
        "Doctor",
        "Check Docker, registry credentials, kubeconfig and cluster access; run the safe fixes.",
        "tui.screens.doctor.doctor",
    ),
    ModeInfo(
        "forwards",
        "8",
        "Forwards",
        "Every port-forward: pod, state, connections, bytes; open, keep, stop (f on a pod starts one).",
        "tui.screens.forward.forwards",
    ),
    ModeInfo(
        "runs",
        "9",
        "Runs",
        "Every pod or Job started from the app: image, code, manifest, logs and results, kept after the pod is gone.",
        "tui.screens.runs.runs",
    ),
    ModeInfo(
        "nodes",
        "0",
        "Nodes",
        "Every node: capacity, allocatable, requested, usage, GPUs, spot, taints (Enter: its pods).",
        "tui.screens.nodes.nodes",
    ),
    ModeInfo(
        "events",
        "E",
        "Events",
        "The namespace's events, live, newest first (w: warnings only; e on the pod list).",
        "tui.screens.events.events",
    ),
)


class K8sxApp(WorkerFailures, App[None]):
    """The app. Backends are injected; the app only schedules their blocking calls on worker threads."""

    TITLE = "k8sx-tui"
    BINDINGS = [
        # Shown in the screen tabs under the status line rather than in the footer.
        *(
            Binding(info.key, f"switch_mode('{info.name}')", info.title, id=f"screen.{info.name}", show=False)
            for info in MODE_INFOS
        ),
        Binding("question_mark,f1", "show_help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    cluster_health: reactive[ClusterHealth] = reactive(
        ClusterHealth(None, "default", Reachability.CHECKING, "…"), always_update=True
    )
    engine_health: reactive[EngineHealth] = reactive(EngineHealth("", Reachability.CHECKING, "…"), always_update=True)

    mode_tabs = [(info.key, info.name, info.title) for info in MODE_INFOS]

    def __init__(
        self,
        backends: Backends,
        theme_name: str | None = None,
        settings: Settings | None = None,
        problems: Sequence[str] = (),
        theme_dirs: Sequence[Path] | None = None,
    ) -> None:
        """`settings` and `problems` come from tui.settings.load_settings (the CLI); tests pass their own."""
        super().__init__()
        self.backends = backends
        self.settings = settings or Settings()
        self._requested_theme = theme_name or self.settings.theme
        self._startup_problems = list(problems)
        self._load_themes(theme_dirs if theme_dirs is not None else (bundled_theme_dir(), user_theme_dir()))
        self._stopping = threading.Event()
        self._making = threading.Lock()  # the run follower and the forwards: made (or not) once, in turn
        self._recheck_cluster = threading.Event()
        self._recheck_engine = threading.Event()
        self.cluster_health = ClusterHealth(backends.kube.context, backends.kube.namespace, Reachability.CHECKING, "…")
        self.engine_health = EngineHealth(backends.docker.host, Reachability.CHECKING, "…")
        self.deployed_namespaces: set[str] = set()  # where this session applied pods (asked about on quit)
        self._leaving = False
        self._forwards: ForwardManager | None = None
        self._run_follower: RunFollower | None = None

    @property
    def forwards(self) -> ForwardManager:
        """The app's port-forwards, alive across screens; made on first use (the forward stack imports the
        kubernetes client and websocket, which a start without forwards does not need)."""
        with self._making:  # a worker may ask first (a project's presets): one manager, whoever asks
            if self._forwards is None:
                with heavy_imports():
                    from tui.services.forward.manager import ForwardManager

                self._forwards = ForwardManager(self.backends.kube)
            return self._forwards

    async def _on_key(self, event: events.Key) -> None:
        """A letter typed ahead of a focus move (`/` and then `train` at once) reached what had the focus when it
        was read and came back up unhandled, while a text box has the focus now: it is the box's, not a key
        binding's (`r` would open Pull results) and not lost."""
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable and event.is_forwarded:
            event.prevent_default()  # Textual calls App._on_key after this one (handlers run down the MRO)
            focused.post_message(events.Key(event.key, event.character))

    def _handle_exception(self, error: Exception) -> None:
        """A widget looked up while the app quits (a screen's handler still queued as its widgets go) is no
        failure: logged, not shown; anything else ends the app as Textual does."""
        if isinstance(error, NoMatches) and (self._exit or not self._running):
            log.info("while quitting: %s", error, exc_info=error)
            return
        super()._handle_exception(error)

    def on_mount(self) -> None:
        # Thread workers run in the event loop's default executor: min(32, cores + 4) threads, 6 on a 2-core
        # laptop. Health probes, watches, log streams and terminal readers each hold one for as long as they
        # live, so a few open tabs left every new worker (an apply, a delete) queued until one of them ended.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="k8sx-worker")
        )
        self._apply_theme_and_keymap()
        for info in MODE_INFOS:
            self.add_mode(info.name, partial(self._make_screen, info))
        self.switch_mode("pods")
        restore_kept_forwards(self, self.backends.kube)
        forward_project_in(self, self.backends.kube, Path.cwd())  # k8sx.yaml's `forwards:`, its pod running already
        self.start_run_follower()
        self.watch_backend(self.backends.kube.probe, ClusterHealthChanged, self._recheck_cluster)
        self.watch_backend(self.backends.docker.probe, EngineHealthChanged, self._recheck_engine)

    def _make_screen(self, info: ModeInfo) -> Screen[None]:
        with heavy_imports():  # its module may be the first to import a client while a worker imports another
            screen = self._new_screen(info)
        # Styled as it mounts, with the stylesheet as it is: Textual would otherwise re-read all of the app's CSS and
        # restyle every screen twice as the mode is first shown (its count of CSS changes starts at -1).
        screen._css_update_count = self._css_update_count
        return screen

    def _new_screen(self, info: ModeInfo) -> Screen[None]:
        backends, settings = self.backends, self.settings
        if info.name == "pods":
            return PodsScreen(backends.kube, settings.results_path, settings.data_path)
        if info.name == "logs":
            from tui.screens.logs.logs import LogsScreen

            return LogsScreen(backends.kube, tail_lines=settings.log_tail_lines)
        if info.name == "terminal":
            from tui.screens.terminal.terminal import TerminalScreen

            return TerminalScreen(backends, default_shell=settings.shell)
        if info.name == "images":
            from tui.screens.images.images import ImagesScreen

            return ImagesScreen(backends.docker)
        if info.name == "push":
            from tui.screens.images.push import PushScreen

            return PushScreen(backends.docker)
        if info.name == "deploy":
            from tui.screens.deploy.deploy import DeployScreen

            return DeployScreen(backends.kube, docker=backends.docker)
        if info.name == "doctor":
            from tui.screens.doctor.doctor import DoctorScreen

            return DoctorScreen(backends.kube, backends.docker)
        if info.name == "runs":
            from tui.screens.runs.runs import RunsScreen

            return RunsScreen(backends.kube)
        if info.name == "nodes":
            from tui.screens.nodes.nodes import NodesScreen

            return NodesScreen(backends.kube)
        if info.name == "events":
            from tui.screens.events.events import EventsScreen

            return EventsScreen(backends.kube)
        from tui.screens.forward.forwards import ForwardsScreen

        return ForwardsScreen(backends.kube)

    async def on_open_logs(self, message: OpenLogs) -> None:
        from tui.screens.logs.logs import LogsScreen

        await self.switch_mode("logs")
        screen = self.screen
        if isinstance(screen, LogsScreen):
            screen.open_logs(message.pods, previous=message.previous)

    async def on_open_run_logs(self, message: OpenRunLogs) -> None:
        await self.switch_mode("logs")
        # The Logs screen's own method (getattr: a Logs screen without it is said in words, not a traceback)
        opener = getattr(self.screen, "open_run_logs", None)
        try:
            if opener is None:
                raise RuntimeError("this Logs screen cannot open a run's archived logs")
            opener(message.run_id, cloud=message.cloud)
        except Exception as exc:
            report_failure(self, f"opening the logs of run {message.run_id}", exc)

    async def on_show_pods_on_node(self, message: ShowPodsOnNode) -> None:
        await self.switch_mode("pods")
        if isinstance(self.screen, PodsScreen):
            self.screen.show_node(message.node)

    def on_pull_run_results(self, message: PullRunResults) -> None:  # r on the Runs screen: the pod list's pull
        from tui.screens.transfer.pod_flows import PodTransfers

        settings = self.settings
        PodTransfers(self.screen, self.backends.kube, settings.results_path, settings.data_path).pull([message.pod])

    def on_open_copy_in(self, message: OpenCopyIn) -> None:
        from tui.screens.transfer.pod_flows import PodTransfers

        settings = self.settings
        PodTransfers(self.screen, self.backends.kube, settings.results_path, settings.data_path).copy_in(message.pod)

    async def on_open_push(self, message: OpenPush) -> None:
        from tui.screens.images.push import PushScreen

        await self.switch_mode("push")
        screen = self.screen
        if isinstance(screen, PushScreen):
            screen.prepare(message.source)

    async def on_open_container_shell(self, message: OpenContainerShell) -> None:
        from tui.screens.terminal.terminal import TerminalScreen

        await self.switch_mode("terminal")
        screen = self.screen
        if isinstance(screen, TerminalScreen):
            screen.open_container_shell(message.container_id, message.shell)

    async def on_open_shell(self, message: OpenShell) -> None:
        from tui.screens.terminal.terminal import TerminalScreen

        await self.switch_mode("terminal")
        screen = self.screen
        if isinstance(screen, TerminalScreen):
            screen.open_pod_shell(message.pod, attach=message.attach)

    async def on_open_local_command(self, message: OpenLocalCommand) -> None:
        from tui.screens.terminal.terminal import TerminalScreen

        await self.switch_mode("terminal")
        screen = self.screen
        if isinstance(screen, TerminalScreen):
            screen.open_local_command(message.argv, message.title, message.cwd)

    def on_pods_deployed(self, message: PodsDeployed) -> None:
        self.deployed_namespaces.add(message.target_namespace)

    # ---------------------------------------------------------------- leaving: no forgotten pods or build containers

    async def action_quit(self) -> None:
        """Quit, but first ask about pods started from the app that still run (they hold nodes and GPUs), and
        interactive-build containers (they idle until removed)."""
        if not self._leaving:
            self._leaving = True
            self.check_before_leaving(self._unsaved_edits())

    def _unsaved_edits(self) -> str | None:
        """Where the Deploy editor's unsaved changes belong, if any (a Deploy screen never opened has none)."""
        try:
            stack = self.get_screen_stack("deploy")
        except KeyError:
            return None
        for screen in stack:
            unsaved = getattr(screen, "unsaved_changes", None)
            if callable(unsaved) and (where := unsaved()):
                return str(where)
        return None

    async def _save_edits(self) -> None:
        """Leaving put off to save the Deploy editor's changes: its screen shown, its save (ctrl+w) begun."""
        await self.switch_mode("deploy")
        save = getattr(self.screen, "action_save", None)
        if callable(save):
            save()

    @work(thread=True, exclusive=True, group="leave", exit_on_error=False)
    def check_before_leaving(self, unsaved: str | None = None) -> None:
        kube = self.backends.kube
        namespaces = {*self.deployed_namespaces, kube.namespace} - {ALL_NAMESPACES}
        try:
            with heavy_imports():
                from tui.services.pods.experiment_pods import ExperimentPods  # the kubernetes client: not at start

            running = ExperimentPods(kube).still_running(namespaces, timeout=LEAVE_CHECK_TIMEOUT_S)
        except Exception as exc:  # a quit is never stopped by its own check
            log.info("leaving without the check for running pods: %s", kube.explain(exc), exc_info=True)
            running = []  # no cluster to ask: nothing can be deleted anyway
        builds, unknown = self._running_builds()
        if not running and not builds and not unsaved:
            self.call_from_thread(self.exit)
            return

        def chosen(choice: LeaveChoice | None) -> None:
            if choice == "delete":  # the pods through the safe clean-up (a run's logs or results at stake: asked)
                screen = self.screen
                delete_then_leave(
                    screen,
                    kube,
                    running,
                    lambda: self.cleanup_puller(screen),
                    lambda: self.delete_then_exit([], builds),
                    self._stay,
                )
            elif choice == "keep":
                self.exit()
            else:
                self._leaving = False
                if choice == "save":
                    self.call_later(self._save_edits)

        unknown = unknown if running or builds else ""  # said only beside pods
        screen = LeaveScreen([pod.key for pod in running], [str(build) for build in builds], unknown, unsaved)
        self.call_from_thread(self.push_screen, screen, chosen)

    def _stay(self) -> None:
        self._leaving = False

    def cleanup_puller(self, screen: Screen[object]) -> Puller:
        """The pod list's pull of results (r), for a clean-up asked where the transfer flows may not be imported
        (Deploy's X, the leave prompt): see tui.screens.common.cleanup.app_puller."""
        from tui.screens.pods.cleanup_pull import PodListPuller
        from tui.screens.transfer.pod_flows import PodTransfers

        settings = self.settings
        return PodListPuller(PodTransfers(screen, self.backends.kube, settings.results_path, settings.data_path))

    def _running_builds(self) -> tuple[list[RunningBuild], str]:
        """The interactive-build containers still running, or none and why they are not known (said only beside
        pods: with no engine to ask, nothing could be removed anyway)."""
        docker = self.backends.docker
        try:
            with heavy_imports():
                from tui.services.docker.build_containers import running_builds  # the docker SDK: not at start

            return running_builds(docker.client()), ""
        except Exception as exc:
            explained = docker.explain(exc)
            log.info("leaving without the check for interactive-build containers: %s", explained, exc_info=True)
            return [], f"the Docker engine does not answer: {explained}"

    @work(thread=True, exclusive=True, group="leave", exit_on_error=False)
    def delete_then_exit(self, pods: list[ExperimentPod], builds: list[RunningBuild]) -> None:
        with heavy_imports():
            from tui.services.pods.experiment_pods import ExperimentPods

        try:
            failed = ExperimentPods(self.backends.kube).delete(pods)
        except Exception as exc:  # said, and the app stays (the quit must not be stuck half-way)
            log.exception("deleting the experiment pods before quitting failed")
            failed = [f"pods: {self.backends.kube.explain(exc)}"]
        if builds:
            with heavy_imports():
                from tui.services.docker.build_containers import remove_builds

            try:
                failed += remove_builds(self.backends.docker.client(), builds)
            except Exception as exc:
                failed.append(f"interactive-build containers: {self.backends.docker.explain(exc)}")
        if failed:
            self.post_message(Notice("\n".join(failed), title="Not deleted", severity="error", timeout=10))
            self._leaving = False
            return
        self.call_from_thread(self.exit)

    @work(thread=True, exclusive=True, group="run-follower", exit_on_error=False)
    def start_run_follower(self) -> None:
        """Every run's pod followed while the app runs: its status recorded, its containers' logs archived."""
        with heavy_imports():
            from tui.services.runs.follower import RunFollower
            from tui.services.runs.store import RunStore

        follower = RunFollower(self.backends.kube, RunStore(), on_gap=self._say_run_log_gap)
        with self._making:  # the unmount sees either no follower or a started one
            if not self._stopping.is_set():
                follower.start()
                self._run_follower = follower

    def _say_run_log_gap(self, words: str) -> None:
        """(The run follower's thread) a run caught up on start whose pod went while the app was closed."""
        self.post_message(Notice(f"lines missing from an archived log: {words}", title="Runs", severity="warning"))

    def on_unmount(self) -> None:
        with self._making:
            self._stopping.set()
        if self._run_follower is not None:
            self._run_follower.stop()
        if self._forwards is not None:
            self._forwards.stop_all()
        self._recheck_cluster.set()
        self._recheck_engine.set()

    # ---------------------------------------------------------------- themes, key map, help

    def _load_themes(self, directories: Sequence[Path]) -> None:
        loaded = load_themes(directories)
        for theme in loaded.themes:
            self.register_theme(theme)
        self._startup_problems += [f"theme skipped: {problem}" for problem in loaded.problems]

    def _apply_theme_and_keymap(self) -> None:
        wanted = self._requested_theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            own = ", ".join(sorted(name for name in self.available_themes if name not in BUILTIN_THEMES))
            self._startup_problems.append(
                f"unknown theme '{wanted}', using {self.theme} (themes: {own}, and Textual's: ctrl+p → Theme)"
            )
        if self.settings.keymap:
            checked = check_keymap(self.settings.keymap, bindings_with_ids(app_node_classes(type(self))))
            self._startup_problems += checked.problems
            self.set_keymap(checked.keymap)
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", timeout=20)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """$pod-running & co. for themes that do not set them (Textual's own), from the theme's own colours."""
        return fallback_variables(self.current_theme.to_color_system().generate())

    def action_show_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = screen.title if isinstance(screen.title, str) and screen.title else type(screen).__name__
        self.push_screen(HelpScreen(help_groups(title, screen.active_bindings, self)))

    # ---------------------------------------------------------------- backend health

    @work(thread=True, exit_on_error=False, group="health")
    def watch_backend(
        self,
        probe: Callable[[], ClusterHealth | EngineHealth],
        message: Callable[..., ClusterHealthChanged | EngineHealthChanged],
        wake: threading.Event,
    ) -> None:
        """Probe a backend forever: every few seconds while it answers, with growing pauses while it does not."""
        worker = get_current_worker()
        retry = FIRST_RETRY_S
        while not worker.is_cancelled and not self._stopping.is_set():
            wake.clear()
            health = probe()
            self.post_message(message(health))
            if health.is_up:
                retry = FIRST_RETRY_S
                wake.wait(HEALTHY_RECHECK_S)
            else:
                wake.wait(retry)
                retry = min(retry * 2, LONGEST_RETRY_S)

    def on_cluster_health_changed(self, message: ClusterHealthChanged) -> None:
        self.cluster_health = message.health

    def on_engine_health_changed(self, message: EngineHealthChanged) -> None:
        self.engine_health = message.health

    def on_kube_target_changed(self, _: KubeTargetChanged) -> None:
        self._recheck_cluster.set()

    # ---------------------------------------------------------------- command palette

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for info in MODE_INFOS:
            yield SystemCommand(f"Go to {info.title}  ({info.key})", info.purpose, partial(self.switch_mode, info.name))
        yield SystemCommand("Help: keys of this screen  (?)", "Every key binding with its id", self.action_show_help)
        # The current screen's own keys, so every action can also be found by name.
        for entry in binding_entries(screen.active_bindings, self):
            if entry.node is not self and entry.binding_id:
                yield SystemCommand(
                    f"{entry.description}  ({' · '.join(entry.keys)})",
                    f"{screen.title or type(screen).__name__}: {entry.binding_id or entry.action}",
                    partial(self._run_bound_action, entry.action, entry.node),
                )

    async def _run_bound_action(self, action: str, node: DOMNode) -> None:
        await self.run_action(action, node)


def app_node_classes(app: type[K8sxApp] = K8sxApp) -> list[type[DOMNode]]:
    """The app and every screen and widget class of tui: the modes' screen modules are imported first (the binding ids
    of a mode not yet shown are known only once its classes are)."""
    for info in MODE_INFOS:
        importlib.import_module(info.module)
    return node_classes(app)
