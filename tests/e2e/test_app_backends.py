"""The real app under Pilot, against the real local stack: the status line tells the truth about both backends."""

from __future__ import annotations

from pathlib import Path

from tests.support.app import SIZE, make_app, pods_info, settle, status_text
from tests.support.stack import StackEnv, kubeconfig_with_server


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
        await settle(pilot, lambda: "cannot list pods" in pods_info(app), what="pod list trouble")
        assert "cannot reach https://127.0.0.1:1: connection refused" in pods_info(app)


async def test_docker_engine_down_is_reported_and_the_cluster_keeps_working(
    stack: StackEnv, tmp_path: Path, namespace: str
) -> None:
    app = make_app(stack.kubeconfig, f"unix://{tmp_path}/no-dockerd.sock", namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.cluster_health.is_up and "docker ✗" in status_text(app), what="report")
        assert "no such socket (is dockerd running?)" in status_text(app)
        await settle(pilot, lambda: f"0 pods in namespace {namespace}" in pods_info(app) and "live" in pods_info(app))


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
