"""Typed messages that worker threads post to the UI thread."""

from __future__ import annotations

from textual.message import Message

from tui.models.health import ClusterHealth, EngineHealth
from tui.models.pods.row import PodRow


class ClusterHealthChanged(Message):
    def __init__(self, health: ClusterHealth) -> None:
        super().__init__()
        self.health = health


class EngineHealthChanged(Message):
    def __init__(self, health: EngineHealth) -> None:
        super().__init__()
        self.health = health


class KubeTargetChanged(Message):
    """The kube context or namespace changed: the status line should be re-checked now, not at the next tick."""


class OpenLogs(Message):
    """Show the logs of these pods (merged, with pod-name prefixes when more than one) on the Logs screen."""

    def __init__(self, pods: list[PodRow], previous: bool = False) -> None:
        super().__init__()
        self.pods = pods
        self.previous = previous


class OpenShell(Message):
    """Open a terminal tab on the pod: a new shell process (`attach=False`), or the main process (`attach=True`)."""

    def __init__(self, pod: PodRow, attach: bool = False) -> None:
        super().__init__()
        self.pod = pod
        self.attach = attach


class OpenPush(Message):
    """Prepare a push of this local image (a tag or an image id) on the Push screen."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source


class OpenContainerShell(Message):
    """Open a terminal tab with a shell in a Docker container (the interactive image build)."""

    def __init__(self, container_id: str, shell: str) -> None:
        super().__init__()
        self.container_id = container_id
        self.shell = shell


class OpenLocalCommand(Message):
    """Run a program on this machine in a terminal tab: a fix from the doctor, or the user's own `kubectl exec -it`."""

    def __init__(self, argv: list[str], title: str, cwd: str | None = None) -> None:
        super().__init__()
        self.argv = argv
        self.title = title
        self.cwd = cwd


class PodsDeployed(Message):
    """Pods were applied into this namespace: leaving the app checks it for labelled pods still running."""

    def __init__(self, target_namespace: str) -> None:
        super().__init__()
        self.target_namespace = target_namespace
