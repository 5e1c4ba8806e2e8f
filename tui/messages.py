"""Typed messages that worker threads post to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.models.health import ClusterHealth, EngineHealth
from tui.models.metrics.usage import MetricsReading
from tui.models.pods.row import PodRow


@dataclass
class ClusterHealthChanged(Message):
    health: ClusterHealth


@dataclass
class EngineHealthChanged(Message):
    health: EngineHealth


class KubeTargetChanged(Message):
    """The kube context or namespace changed: the status line should be re-checked now, not at the next tick."""


@dataclass
class OpenLogs(Message):
    """Show the logs of these pods (merged, with pod-name prefixes when more than one) on the Logs screen."""

    pods: list[PodRow]
    previous: bool = False


@dataclass
class OpenRunLogs(Message):
    """Show a run's archived logs on the Logs screen (also once its pod is gone); `cloud`: its log in Cloud Logging
    instead (a GKE run's)."""

    run_id: str
    cloud: bool = False


@dataclass
class OpenShell(Message):
    """Open a terminal tab on the pod: a new shell process (`attach=False`), or the main process (`attach=True`)."""

    pod: PodRow
    attach: bool = False


@dataclass
class OpenCopyIn(Message):
    """Open the copy-in form for this pod (as u on the pod list) over the current screen: u on a shell tab. The
    Terminal screen may not import the transfer screens; the app opens them."""

    pod: PodRow


@dataclass
class OpenPush(Message):
    """Prepare a push of this local image (a tag or an image id) on the Push screen."""

    source: str


@dataclass
class OpenContainerShell(Message):
    """Open a terminal tab with a shell in a Docker container (the interactive image build)."""

    container_id: str
    shell: str


@dataclass
class OpenLocalCommand(Message):
    """Run a program on this machine in a terminal tab: a fix from the doctor, or the user's own `kubectl exec -it`."""

    argv: list[str]
    title: str
    cwd: str | None = None


@dataclass
class PodsDeployed(Message):
    """Pods were applied into this namespace: leaving the app checks it for labelled pods still running."""

    target_namespace: str


@dataclass
class PodMetricsRead(Message):
    """One read of metrics.k8s.io for the pod list: usage by pod, or why there is none (`reading.unavailable`).
    `generation` tells a reading for the namespace shown from one asked before a switch."""

    reading: MetricsReading
    generation: int
