"""An event message full of terminal commands (anyone who may create events can write one) is shown by describe as
text: the real API server, the real app."""

from __future__ import annotations

import json

from textual.widgets import Static

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import kwok_pod
from tests.support.stack import StackEnv, kubectl
from tui.screens.common.text_view import TextViewScreen

HOSTILE = "pulled \x1bc \x1b]52;c;eA==\x07 done \u009b2J"


async def test_describe_shows_a_hostile_event_message_as_text(stack: StackEnv, namespace: str) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=kwok_pod("exp"))
    uid = kubectl(stack, "get", "pod", "exp", "-n", namespace, "-o", "jsonpath={.metadata.uid}")
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "exp.hostile"},
        "involvedObject": {"kind": "Pod", "name": "exp", "namespace": namespace, "uid": uid},
        "reason": "Pulled",
        "message": HOSTILE,
        "type": "Normal",
    }
    kubectl(stack, "create", "-n", namespace, "-f", "-", input=json.dumps(event))
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, TextViewScreen), what="describe")
        drawn = str(app.screen.query_one("#text", Static).render())
        assert "pulled ␛c ␛]52;c;eA==␇ done \\x9b2J" in drawn, drawn
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in drawn)
        assert "\x1b" not in app.export_screenshot()
