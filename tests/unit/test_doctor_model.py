"""The doctor's fixes as data: which commands the app may run, the values a user types into them, the summary."""

from __future__ import annotations

from typing import cast

import pytest

from tui.models.doctor.checks import (
    GET_CREDENTIALS,
    INSTALL_GKE_PLUGIN,
    CheckState,
    DoctorCheck,
    DoctorSummary,
    configure_docker,
    gke_context_values,
    registry_host,
    value_problem,
)
from tui.services.docker.engine import DockerService
from tui.services.doctor.doctor import Doctor, report
from tui.services.kube.kube import KubeService


def test_get_credentials_is_filled_with_the_typed_values_word_by_word() -> None:
    argv = GET_CREDENTIALS.filled({"CLUSTER": "exp", "REGION": " europe-west2 ", "PROJECT": "my-proj"})
    assert argv == [
        "gcloud",
        "container",
        "clusters",
        "get-credentials",
        "exp",
        "--region",
        "europe-west2",
        "--project",
        "my-proj",
    ]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"CLUSTER": "exp", "REGION": "r"}, "project: needed"),
        ({"CLUSTER": "--impersonate=x", "REGION": "r", "PROJECT": "p"}, "cluster: '--impersonate=x' is not a plain"),
        ({"CLUSTER": "a b", "REGION": "r", "PROJECT": "p"}, "cluster: 'a b' is not a plain name"),
        ({"CLUSTER": "a;rm", "REGION": "r", "PROJECT": "p"}, "cluster: 'a;rm' is not a plain name"),
    ],
)
def test_a_missing_or_option_like_value_is_refused_before_anything_runs(values: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match="^" + problem.replace("[", r"\[")):
        GET_CREDENTIALS.filled(values)


def test_plain_names_are_accepted() -> None:
    assert value_problem("europe-west2") == value_problem("my_proj.1") == ""


def test_fixed_commands_need_no_typing_and_read_as_the_user_would_type_them() -> None:
    assert configure_docker("REGION-docker.pkg.dev").text == "gcloud auth configure-docker REGION-docker.pkg.dev"
    assert configure_docker("127.0.0.1:5001").filled({}) == ["gcloud", "auth", "configure-docker", "127.0.0.1:5001"]
    assert INSTALL_GKE_PLUGIN.inputs == ()
    assert GET_CREDENTIALS.text == "gcloud container clusters get-credentials CLUSTER --region REGION --project PROJECT"


def test_a_gke_context_name_gives_the_get_credentials_values() -> None:
    assert gke_context_values("gke_my-proj_europe-west2_exp_cluster") == {
        "PROJECT": "my-proj",
        "REGION": "europe-west2",
        "CLUSTER": "exp_cluster",
    }
    assert gke_context_values("k8sx-local") == gke_context_values(None) == {}


def test_a_runnable_check_prints_its_command_as_the_fix_line() -> None:
    check = DoctorCheck.runnable("kubernetes", "kubeconfig", CheckState.FAILED, "none at /x", GET_CREDENTIALS)
    assert check.is_problem
    assert check.fix == "gcloud container clusters get-credentials CLUSTER --region REGION --project PROJECT"
    assert check.command is not None
    assert check.command.filled({"CLUSTER": "c", "REGION": "r", "PROJECT": "p"})[4:] == [
        "c",
        "--region",
        "r",
        "--project",
        "p",
    ]
    assert report([check]).splitlines() == [
        "failed  kubernetes kubeconfig: none at /x",
        "                   fix: gcloud container clusters get-credentials CLUSTER --region REGION --project PROJECT",
    ]


def test_only_a_runnable_check_offers_a_command_and_a_passing_check_prints_no_fix() -> None:
    worded = DoctorCheck("docker", "engine", CheckState.FAILED, "down", "start Docker")
    assert worded.command is None and worded.fix == "start Docker"
    passing = DoctorCheck.runnable("tools", "gke plugin", CheckState.OK, "installed", INSTALL_GKE_PLUGIN)
    assert not passing.is_problem
    assert passing.command is not None
    assert passing.command.filled({}) == ["gcloud", "components", "install", "gke-gcloud-auth-plugin"]
    assert report([passing]) == "ok      tools      gke plugin: installed"


def test_the_summary_counts_problems_and_warnings() -> None:
    ok = DoctorCheck("tools", "kubectl", CheckState.OK, "/usr/bin/kubectl")
    warning = DoctorCheck("tools", "gcloud", CheckState.WARNING, "not found")
    failed = DoctorCheck("docker", "engine", CheckState.FAILED, "down", "start Docker")
    assert DoctorSummary.of([ok, ok]).text == "all is well: 2 checks ok"
    assert DoctorSummary.of([ok, warning, failed, failed]).text == "2 problems, 1 warning in 4 checks"
    assert DoctorSummary.of([ok, warning]).text == "1 warning in 2 checks"


def test_a_pasted_url_or_image_reference_is_checked_as_its_registry_host() -> None:
    assert registry_host(" REGION-docker.pkg.dev/proj/repo/train:0.1 ") == "REGION-docker.pkg.dev"
    assert registry_host("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000"
    assert registry_host("127.0.0.1:5001") == "127.0.0.1:5001"
    assert registry_host("") == ""


def test_checks_that_stopped_with_an_error_are_never_all_well() -> None:
    ok = DoctorCheck("tools", "kubectl", CheckState.OK, "/usr/bin/kubectl")
    summary = DoctorSummary.of([ok, ok], stopped="RuntimeError: boom")
    assert summary.is_failed
    assert summary.text == "the checks stopped after 2: RuntimeError: boom"
    assert not DoctorSummary.of([ok]).is_failed


class BrokenEngine:
    """A Docker service whose check breaks in a way nobody foresaw."""

    host = "unix:///x.sock"

    def probe(self) -> object:
        raise RuntimeError("boom")


class NoKubeconfig:
    kubeconfig_files = ["/nonexistent/kubeconfig"]


def test_a_check_that_breaks_is_a_failed_line_and_the_other_checks_still_run(caplog: pytest.LogCaptureFixture) -> None:
    checks = list(Doctor(cast(KubeService, NoKubeconfig()), cast(DockerService, BrokenEngine())).checks())
    assert checks[0] == DoctorCheck(
        "docker",
        "checks",
        CheckState.FAILED,
        "stopped by an unexpected error: RuntimeError: boom (see the diagnostic log)",
    )
    assert [c.area for c in checks[1:]] == ["kubernetes", "tools", "tools"]
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
