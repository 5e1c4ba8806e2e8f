"""The status line names the context and namespace and says, in words, what is wrong with a backend."""

from tui.models.health import ClusterHealth, EngineHealth, Reachability
from tui.widgets.status_line import describe


def test_both_up() -> None:
    text = str(
        describe(
            ClusterHealth("gke_proj_europe-west2_exp", "ml", Reachability.UP, "v1.36.3"),
            EngineHealth("unix:///var/run/docker.sock", Reachability.UP, "Docker 28.2"),
        )
    )
    assert "gke_proj_europe-west2_exp" in text and "ns ml" in text
    assert "cluster ● v1.36.3" in text and "docker ● Docker 28.2" in text


def test_down_backend_shows_reason() -> None:
    text = str(
        describe(
            ClusterHealth(None, "default", Reachability.DOWN, "no kubeconfig found"),
            EngineHealth("unix:///x.sock", Reachability.CHECKING, "…"),
        )
    )
    assert "no context" in text
    assert "cluster ✗ unreachable: no kubeconfig found" in text
    assert "docker … checking" in text
