"""A Job's run keeps the log of every pod the Job made: on the real node (run under /tmp/real-node.lock) a Job whose
pods exit 1 is retried in a new pod (backoffLimit 1); the app's run follower archives both attempts' logs, byte for
byte as `kubectl logs` printed each, the run ends Failed only when the Job does, and the Logs screen shows both."""

from __future__ import annotations

import yaml

from tests.support.app import SIZE, make_app, settle
from tests.support.logs import info, lines_held, logs_screen, shown
from tests.support.pods import REAL_NODE_TOLERATION
from tests.support.real_node import engine, pushed_image
from tests.support.run_logs import archived_text, kubectl_logs, record_run
from tests.support.stack import StackEnv, apply, kubectl
from tests.support.state import own_state
from tui.screens.common.dialogs import ChoiceScreen
from tui.services.runs.store import RunStore

__all__ = ["engine", "own_state", "pushed_image"]  # fixtures

ATTEMPT = 'echo "attempt on $HOSTNAME"; i=0; while [ $i -lt 50 ]; do echo "step $i"; i=$((i+1)); done; exit 1'


def failing_job(name: str, image: str) -> str:
    """A Job whose every pod fails, tried twice (backoffLimit 1)."""
    pod = {
        "restartPolicy": "Never",
        "nodeSelector": {"type": "real"},
        "tolerations": [REAL_NODE_TOLERATION],
        "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": image, "command": ["sh", "-c", ATTEMPT]}],
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"backoffLimit": 1, "template": {"spec": pod}},
    }
    return yaml.safe_dump(job, sort_keys=False)


async def test_every_attempt_of_a_retried_job_is_archived_and_shown(
    stack: StackEnv, namespace: str, pushed_image: str
) -> None:
    manifest = failing_job("retrier", pushed_image)
    apply(stack, namespace, manifest)
    run = record_run(stack, namespace, "retrier", manifest, kind="Job")
    store = RunStore()

    def archived() -> dict[str, bytes]:
        return {a.container: archived_text(store, run.id, a.container) for a in store.logs(run.id) if a.complete}

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        # The app's own run follower: both pods' logs archived to their end, the run over with the Job.
        await settle(
            pilot, lambda: len(archived()) == 2 and store.get(run.id).phase == "Failed", timeout=240,
            what="both attempts archived and the run Failed",
        )  # fmt: skip
        logs = archived()
        pods = [key.split("/")[0] for key in logs]
        assert sorted(logs) == sorted(f"{pod}/main" for pod in pods) and len(set(pods)) == 2
        for key, text in logs.items():
            pod = key.split("/")[0]
            assert text == kubectl_logs(stack, namespace, pod), key
            assert text.startswith(f"attempt on {pod}\nstep 0\n".encode()) and text.endswith(b"step 49\n")
        assert store.get(run.id).pod in pods and store.get(run.id).ended is not None

        await pilot.press("2")
        logs_screen(app).open_run_logs(run.id)
        await settle(pilot, lambda: "archived log, complete" in info(app), what="the newest attempt's log")
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the container picker")
        assert sorted(app.screen.choices[1:]) == sorted(logs)  # type: ignore[attr-defined]
        await pilot.press(*"all", "enter")  # all containers: both attempts merged, each line labelled with its pod
        await settle(pilot, lambda: lines_held(app) == 102, what="both attempts' lines")
        await pilot.press("slash", *"attempt on", "enter")
        await settle(pilot, lambda: "search 'attempt on': 1/2 hits" in info(app), what="each attempt's first line")
        first = min(store.logs(run.id), key=lambda archive: archive.last_time).container.split("/")[0]
        assert f"{first}/main attempt on {first}" in shown(app)
    kubectl(stack, "delete", "job", "-n", namespace, "retrier", "--wait=false")
