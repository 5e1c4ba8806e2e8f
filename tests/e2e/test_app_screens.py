"""Every screen is reachable by its key and from the command palette; the pod list shows the cluster's pods."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.e2e.test_app_backends import SIZE, make_app
from tests.support import StackEnv, kubectl, settle
from tui.app import MODE_INFOS

POD = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  nodeSelector: {{type: kwok}}
  containers: [{{name: main, image: 127.0.0.1:5000/exp/train:0.3}}]
"""


async def test_pods_of_the_namespace_appear_running_on_a_kwok_node(stack: StackEnv, namespace: str) -> None:
    for name in ("train-a", "train-b"):
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=POD.format(name=name))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#pods", DataTable)

        def rows() -> dict[str, list[str]]:
            return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}

        await settle(
            pilot,
            lambda: len(rows()) == 2 and all(r[2] == "Running" for r in rows().values()),
            what="two Running pods",
        )
        row = rows()[f"{namespace}/train-a"]
        assert row[0] == "train-a" and row[1] == "1/1"
        assert row[6].startswith("kwok-node-")
        assert row[7] == "127.0.0.1:5000/exp/train:0.3"

        kubectl(stack, "delete", "pod", "train-b", "-n", namespace, "--wait=true")
        await settle(pilot, lambda: list(rows()) == [f"{namespace}/train-a"], what="deleted pod gone")


async def test_each_screen_has_a_key_in_the_footer_and_a_palette_command(stack: StackEnv) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host)
    async with app.run_test(size=SIZE) as pilot:
        footer_keys = {binding.key for (_, binding, _, _) in app.active_bindings.values() if binding.show}
        for info in MODE_INFOS:
            assert info.key in footer_keys
            await pilot.press(info.key)
            await pilot.pause()
            assert app.current_mode == info.name
            assert app.screen.title == info.title
        await pilot.press("1")
        commands = [command.title for command in app.get_system_commands(app.screen)]
        for info in MODE_INFOS:
            assert f"Go to {info.title}  ({info.key})" in commands
        await pilot.press("ctrl+p")
        await pilot.press(*"go to deploy")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: app.current_mode == "deploy", what="palette switch to deploy")
