"""Copy in (u on a pod) sends the archive only once the pod has said it made the copy's hidden folder (k8sx:go):
a pod that cannot make it (here: where nothing can be made) is said in its own words. Sent at once instead, to
save that round trip, a large archive met the ended exec as a cut connection, and the pod's words were lost (tried
in session 12: this test then failed).

kwok runs the pod's commands on this machine: /proc is a folder in which nothing can be made (and nothing is there
to remove), so `mkdir` fails where the copy's hidden folder would go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_copy_in_target import copied, open_plan, plan_text
from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv

LARGE = 64 << 20  # far more than the pipes and sockets on the way hold: sent early, it met the ended exec


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")


async def test_a_pod_that_cannot_take_the_copy_is_said_in_its_own_words(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    local = tmp_path / "local" / "model.bin"
    local.parent.mkdir()
    local.write_bytes(os.urandom(1 << 20) * (LARGE >> 20))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await open_plan(pilot, app, str(local), "/proc")
        assert "to " + f"{namespace}/exp:/proc/model.bin" in plan_text(app), plan_text(app)
        await pilot.press("enter")
        status = await copied(pilot, app)
    assert status.startswith("failed:"), status
    assert "mkdir" in status and "/proc/.k8sx-partial-" in status, status
    assert "connection" not in status, status
