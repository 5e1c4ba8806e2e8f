"""The real app under Pilot, against the real local stack: the status line tells the truth about both backends."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support import StackEnv, settle
from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker_engine import DockerService
from tui.services.kube import KubeService
from tui.widgets.status_line import StatusLine

SIZE = (180, 30)


def status_text(app: K8sxApp) -> str:
    return str(app.screen.query_one(StatusLine).content)


def make_app(kubeconfig: str, docker_host: str, context: str | None = None, namespace: str | None = None) -> K8sxApp:
    return K8sxApp(Backends(KubeService(kubeconfig, context, namespace), DockerService(docker_host)))


def kubeconfig_with_server(stack: StackEnv, tmp_path: Path, server: str) -> str:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


async def test_status_line_reports_both_backends_reachable(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.cluster_health.is_up and app.engine_health.is_up, what="both backends up")
        text = status_text(app)
        assert "k8sx-local" in text and "ns default" in text
        assert "cluster ● v1.36.3" in text
        assert "docker ● Docker 20.10" in text


async def test_dead_api_server_port_is_reported_and_docker_keeps_working(stack: StackEnv, tmp_path: Path) -> None:
    dead = kubeconfig_with_server(stack, tmp_path, "https://127.0.0.1:1")
    app = make_app(dead, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "unreachable" in status_text(app) and app.engine_health.is_up, what="report")
        text = status_text(app)
        assert "cluster ✗ unreachable: cannot reach https://127.0.0.1:1: connection refused" in text
        assert "docker ● Docker" in text
        notice = str(app.screen.query_one("#pods-notice").content)  # type: ignore[attr-defined]
        assert "cannot list pods" in notice and "connection refused" in notice


async def test_docker_engine_down_is_reported_and_the_cluster_keeps_working(
    stack: StackEnv, tmp_path: Path, namespace: str
) -> None:
    app = make_app(stack.kubeconfig, f"unix://{tmp_path}/no-dockerd.sock", namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.cluster_health.is_up and "docker ✗" in status_text(app), what="report")
        assert "no such socket (is dockerd running?)" in status_text(app)
        await settle(
            pilot,
            lambda: "0 pods in namespace " + namespace in str(app.screen.query_one("#pods-notice").content),  # type: ignore[attr-defined]
            what="the (empty) pod list of the cluster",
        )


async def test_unknown_context_and_missing_kubeconfig_are_named(stack: StackEnv, tmp_path: Path) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, context="gke_nope")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "unreachable" in status_text(app), what="context report")
        assert "context 'gke_nope' is not in the kubeconfig (contexts: k8sx-local)" in status_text(app)

    app = make_app(str(tmp_path / "missing-kubeconfig"), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "unreachable" in status_text(app), what="kubeconfig report")
        assert "no kubeconfig found" in status_text(app)
        await settle(pilot, lambda: app.engine_health.is_up, what="docker still up")


async def test_cluster_coming_back_is_noticed_without_restart(stack: StackEnv, tmp_path: Path) -> None:
    """The health check retries in the background: fixing the kubeconfig under a running app is picked up."""
    path = Path(kubeconfig_with_server(stack, tmp_path, "https://127.0.0.1:1"))
    app = make_app(str(path), stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "connection refused" in status_text(app), what="down report")
        path.write_text(Path(stack.kubeconfig).read_text())
        await settle(pilot, lambda: app.cluster_health.is_up, timeout=40, what="recovery")
        assert "cluster ● v1.36.3" in status_text(app)
