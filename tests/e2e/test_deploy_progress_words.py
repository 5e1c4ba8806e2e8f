"""On the real node (run under flock /tmp/real-node.lock): a pod scheduled but not started yet (its init container
runs) is said once in the Deploy panel — its status and node, then what happens — not "Init:0/1 on real-node-0 —
Init:0/1 on real-node-0"."""

from __future__ import annotations

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.support.app import SIZE, make_app, settle
from tests.support.images import real_node_image
from tests.support.stack import StackEnv, read_stack_env
from tests.support.state import own_state

__all__ = ["own_state", "real_node_image"]  # fixtures (own_state: autouse)


def slow_start_yaml(image: str) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: slow-start}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  nodeSelector: {{type: real}}
  tolerations: [{{key: k8sx.dev/real-node, operator: Exists, effect: NoSchedule}}]
  initContainers:
  - {{name: prepare, image: {image}, command: [sleep, "30"]}}
  containers:
  - {{name: main, image: {image}, command: [sleep, "30"]}}
"""


async def test_a_pod_starting_on_its_node_is_said_once(stack: StackEnv, namespace: str, real_node_image: str) -> None:
    node = read_stack_env()["K8SX_REAL_NODE"]
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        screen.editor.load_text(slow_start_yaml(real_node_image))
        await pilot.press("ctrl+s")
        starting = f"pod slow-start: Init:0/1 on {node}"
        await settle(pilot, lambda: starting in follow_text(app), timeout=120, what="the init container running")
        text = follow_text(app)
        assert f"{starting} — its node is starting its containers" in text, text
        assert text.count(f"on {node}") == 1, text
