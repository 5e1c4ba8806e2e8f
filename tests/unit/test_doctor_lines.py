"""How the Doctor screen words a check, and which registry it checks when the user has typed none."""

from __future__ import annotations

from pathlib import Path

from tui.models.doctor.checks import INSTALL_GKE_PLUGIN, CheckState, DoctorCheck
from tui.screens.doctor.doctor import check_line, default_registry
from tui.services.images.last_pushed import LastPushed


def test_an_ok_line_has_no_fix_and_a_problem_says_whether_the_app_can_run_its_fix() -> None:
    ok = DoctorCheck("tools", "kubectl", CheckState.OK, "/usr/bin/kubectl", "never shown")
    assert check_line(ok).plain == "ok      tools      kubectl: /usr/bin/kubectl"
    failed = CheckState.FAILED
    plugin = DoctorCheck.runnable("kubernetes", "credential plugin", failed, "not on PATH", INSTALL_GKE_PLUGIN)
    assert check_line(plugin).plain.splitlines() == [
        "failed  kubernetes credential plugin: not on PATH",
        "                   fix: gcloud components install gke-gcloud-auth-plugin  (enter/x: run it)",
    ]
    group = DoctorCheck("docker", "engine", failed, "no permission", "sudo usermod -aG docker $USER")
    assert check_line(group).plain.endswith("fix: sudo usermod -aG docker $USER  (run this yourself)")


def test_the_registry_to_check_is_the_last_pushed_images(tmp_path: Path) -> None:
    remembered = LastPushed(tmp_path / "last-pushed.json")
    assert default_registry(remembered) == ""
    remembered.set("127.0.0.1:5000/exp/train:0.3@sha256:" + "a" * 64)
    assert default_registry(remembered) == "127.0.0.1:5000"
    remembered.set("busybox")
    assert default_registry(remembered) == "docker.io"
    remembered.set("Not A Reference")
    assert default_registry(remembered) == ""
