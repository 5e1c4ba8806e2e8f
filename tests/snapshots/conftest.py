"""Fixed content for the visual-regression snapshots: fake backends with fixed data and a frozen clock.

Only here: every other test talks to the real stack. The SVGs in screenshots/ come from the real app and stack.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tui.app import K8sxApp
from tui.backends import Backends
from tui.models.deploy.pod_template import FANOUT_LABEL, INDEX_LABEL, MANAGED_BY, MANAGED_BY_LABEL
from tui.models.doctor.checks import CheckState, DoctorCheck, configure_docker
from tui.models.health import ClusterHealth, EngineHealth, Reachability
from tui.models.images.image import LocalImage
from tui.models.metrics.usage import MetricsReading, Usage
from tui.models.pods.row import PodRow, PodsListed
from tui.services.docker.engine import DockerService
from tui.services.doctor.doctor import ASK_FOR_ACCESS, REFUSED
from tui.services.kube.kube import KubeService
from tui.themes import bundled_theme_dir

SIZE = (130, 30)
NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> FrozenDatetime:  # type: ignore[override]
        return cls.fromtimestamp(NOW.timestamp(), tz)


def pod(
    name: str, status: str, ready: str, restarts: int, age_s: int, node: str = "kwok-node-0", labels: str = ""
) -> PodRow:
    ip = f"10.244.0.{len(name)}" if status == "Running" else ""
    created = NOW - timedelta(seconds=age_s)
    image = "127.0.0.1:5000/exp/train:0.3"
    pairs = dict(pair.split("=", 1) for pair in labels.split(",") if pair)
    return PodRow("default", name, ready, status, restarts, created, ip, node, image, pairs)


MANAGED = f"{MANAGED_BY_LABEL}={MANAGED_BY}"  # deployed from the app: the Deploy screen lists these


def fanned(index: int) -> str:
    return f"{MANAGED},{FANOUT_LABEL}=train-lr,{INDEX_LABEL}={index}"


PODS = [
    pod("preprocess-shard-0", "Completed", "0/1", 0, 7200),
    pod("preprocess-shard-1", "Running", "1/1", 0, 3600),
    pod("train-lr-0.01", "Running", "1/1", 2, 1800, "real-node-0", labels=fanned(0)),
    pod("train-lr-0.1", "CrashLoopBackOff", "0/1", 7, 1700, labels=fanned(1)),
    pod("train-lr-1.0", "Pending", "0/1", 0, 40, "", labels=fanned(2)),
    pod("eval-baseline", "Terminating", "1/1", 0, 900, labels=MANAGED),
    pod("notebook", "ImagePullBackOff", "0/1", 0, 300),
]

IMAGES = [
    LocalImage("sha256:" + "3f" * 32, ("127.0.0.1:5000/exp/train:0.3",), (), 187_000_000, NOW - timedelta(hours=2)),
    LocalImage("sha256:" + "a1" * 32, ("exp/train:0.2", "exp/train:latest"), (), 185_500_000, NOW - timedelta(days=3)),
    LocalImage("sha256:" + "0b" * 32, ("busybox:scratch",), (), 2_100_000, NOW - timedelta(days=30)),
]


class FakeWatcher:
    """Stands in for PodWatcher (the Pods screen's and the Deploy screen's): lists the PODS its label selector
    (`k=v,...`) matches once, then stays quiet until stopped."""

    def __init__(self, kube: object, namespace: str, label_selector: str | None = None) -> None:
        wanted = dict(term.split("=", 1) for term in label_selector.split(",")) if label_selector else {}
        self._rows = [row for row in PODS if wanted.items() <= row.labels.items()]
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def events(self) -> Iterator[PodsListed]:
        yield PodsListed(list(self._rows), "1")
        self._stopped.wait()


class FakeMetrics:
    """Stands in for MetricsService (the real one would read through the fake kubeconfig, and its state in words
    would be on the info line or not depending on timing): fixed usage for the running pods."""

    def __init__(self, kube: object) -> None:
        pass

    def pod_usage(self, namespace: str) -> MetricsReading:
        usage = {f"default/{row.name}": Usage(250 + 10 * len(row.name), 300 * 2**20) for row in PODS}
        return MetricsReading({key: value for key, value in usage.items() if "shard-1" in key or "lr-0.01" in key})


class FakeImages:
    def __init__(self, client: object) -> None:
        pass

    def list_images(self) -> list[LocalImage]:
        return list(IMAGES)


AR_REGISTRY = "europe-west2-docker.pkg.dev"  # the registry the Doctor snapshot checks (typed into its field)
WARNING, FAILED = CheckState.WARNING, CheckState.FAILED


class FakeDoctor:
    """Stands in for the Doctor (the real one reads this machine's PATH and files): the tutorial's first run with
    an Artifact Registry not set up yet; one line of each kind (ok, a fix the app runs, a fix in words, a warning)."""

    def __init__(self, kube: object, docker: object, registry: str | None = None) -> None:
        self.registry = registry

    def checks(self) -> Iterator[DoctorCheck]:
        yield DoctorCheck("docker", "engine", CheckState.OK, "Docker 20.10.24 at unix:///var/run/docker.sock")
        if self.registry:
            fix, none = configure_docker(self.registry), "none in /home/me/.docker/config.json"
            yield DoctorCheck.runnable("registry", f"credentials for {self.registry}", WARNING, none, fix)
            yield DoctorCheck.runnable("registry", f"login to {self.registry}", FAILED, REFUSED, fix)
        yield DoctorCheck("kubernetes", "kubeconfig", CheckState.OK, "/home/me/.kube/config")
        yield DoctorCheck("kubernetes", "API server", CheckState.OK, "v1.36.3, context kind-experiments")
        denied = "not allowed: delete pods (cleaning up)"
        yield DoctorCheck("kubernetes", "access in default", FAILED, denied, ASK_FOR_ACCESS)
        yield DoctorCheck("tools", "kubectl", WARNING, "not found (k8sx-tui talks to the API itself)")
        yield DoctorCheck("tools", "gcloud", CheckState.OK, "/usr/bin/gcloud")


class FakeKube(KubeService):
    """The status line's cluster; a screen that needs more from it gets its own fake (FakeWatcher, FakeDoctor)."""

    def probe(self) -> ClusterHealth:
        return ClusterHealth("kind-experiments", self.namespace, Reachability.UP, "v1.36.3")


class FakeDocker(DockerService):
    def probe(self) -> EngineHealth:
        return EngineHealth("unix:///var/run/docker.sock", Reachability.UP, "20.10.24")

    def client(self) -> Any:
        return object()


@pytest.fixture
def snapshot_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> K8sxApp:
    monkeypatch.setattr("tui.screens.pods.pods.PodWatcher", FakeWatcher)
    monkeypatch.setattr("tui.screens.pods.pods.MetricsService", FakeMetrics)
    monkeypatch.setattr("tui.screens.deploy.pods.PodWatcher", FakeWatcher)
    monkeypatch.setattr("tui.screens.doctor.doctor.Doctor", FakeDoctor)
    monkeypatch.setattr("tui.screens.images.images.ImageService", FakeImages)
    monkeypatch.setattr("tui.widgets.pod_table.datetime", FrozenDatetime)
    monkeypatch.setattr("tui.screens.images.images.datetime", FrozenDatetime)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("tui.diagnostic_log._current", None)  # help and Doctor: "not written", whatever ran before
    backends = Backends(FakeKube(str(tmp_path / "no-kubeconfig"), None, "default"), FakeDocker("unix:///nowhere.sock"))
    return K8sxApp(backends, theme_dirs=[bundled_theme_dir()])


def still(app: K8sxApp) -> None:
    """No blinking cursors: the same frame every time."""
    for node in app.screen.query(Input):
        node.cursor_blink = False
