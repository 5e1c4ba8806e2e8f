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


def test_a_long_reason_is_shortened_to_fit_and_never_pushes_the_other_backend_off_the_line() -> None:
    reason = "kubeconfig /home/me/.kube/config: not valid YAML (line 3, column 3: " + "x" * 300 + ")"
    line = describe(
        ClusterHealth(None, "default", Reachability.DOWN, reason),
        EngineHealth("unix:///var/run/docker.sock", Reachability.UP, "Docker 28.2"),
        width=140,
    )
    assert line.cell_length <= 140
    text = str(line)
    assert text.endswith("docker ● Docker 28.2")
    assert "cluster ✗ unreachable: kubeconfig …/config: not valid YAML (line 3, column 3: xxx" in text
    assert "…  │  docker ● Docker 28.2" in text


def test_two_long_reasons_share_the_width_and_each_is_cut_with_an_ellipsis() -> None:
    line = describe(
        ClusterHealth("k8sx-local", "default", Reachability.DOWN, "cannot reach https://10.0.0.1:6443: " + "c" * 200),
        EngineHealth(
            "tcp://h:2375", Reachability.DOWN, "cannot connect to the Docker engine at tcp://h:2375: " + "d" * 200
        ),
        width=200,
    )
    assert line.cell_length == 200
    cluster, docker = str(line).split("  │  ")[1:]
    assert cluster.startswith("cluster ✗ unreachable: cannot reach") and cluster.endswith("c…")
    assert docker.startswith("docker ✗ unreachable: cannot connect") and docker.endswith("d…")
    assert abs(len(cluster) - len(docker)) <= 2


def test_a_reason_of_many_lines_shows_its_first_line_only() -> None:
    reason = 'kubeconfig /k: not valid YAML\n  in "/k", line 3, column 3'
    text = str(
        describe(
            ClusterHealth(None, "default", Reachability.DOWN, reason),
            EngineHealth("unix:///x.sock", Reachability.UP, "Docker 28.2"),
        )
    )
    assert "\n" not in text
    assert "cluster ✗ unreachable: kubeconfig /k: not valid YAML  │  docker ● Docker 28.2" in text


def test_a_long_path_is_shortened_to_its_file_name_so_that_the_reason_after_it_shows() -> None:
    socket = "unix:///tmp/pytest-of-root/pytest-192/test_docker_engine_down_is_rep0/no-dockerd.sock"
    reason = f"cannot connect to the Docker engine at {socket}: no such socket (is dockerd running?)"
    line = describe(
        ClusterHealth("k8sx-local", "t-11c48085", Reachability.UP, "v1.36.3"),
        EngineHealth(socket, Reachability.DOWN, reason),
        width=178,  # the app's 180 columns, less the padding
    )
    assert line.cell_length <= 178
    assert str(line).endswith("docker ✗ unreachable: cannot connect to the Docker engine at unix://…/no-dockerd.sock: "
                              "no such socket (is dockerd running?)")  # fmt: skip
