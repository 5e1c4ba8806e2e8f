"""Terminal sessions through the services against the real stack, without the app: a KubeExecSession into a pod on
the real node (busybox: no bash) falls back to sh, and what was typed before the shell answered reaches sh once.
The Terminal screen: tests/e2e/test_terminal.py."""

from __future__ import annotations

import threading

from tests.support.images import real_node_image
from tests.support.pods import start_real_node_pod
from tests.support.stack import StackEnv
from tests.support.state import own_state_dir
from tui.services.kube.kube import KubeService
from tui.services.terminal.kube_exec import KubeExecSession

__all__ = ["own_state_dir", "real_node_image"]  # fixtures (own_state_dir: autouse)


def test_keys_typed_before_the_shell_answers_reach_the_shell_it_falls_back_to(
    stack: StackEnv, namespace: str, real_node_image: str
) -> None:
    # busybox has no bash: the first exec fails and sh is started; what was typed meanwhile goes to sh, once.
    start_real_node_pod(stack, namespace, real_node_image, "early", ["sleep", "3600"], "Running")
    session = KubeExecSession(KubeService(stack.kubeconfig), namespace, "early")
    session.open(80, 24)
    session.write(b"echo typed-$((6*7))-early\r")
    seen = bytearray()

    def read_until_echoed() -> None:
        while b"typed-42-early" not in seen and session.end is None:
            seen.extend(session.read())

    reader = threading.Thread(target=read_until_echoed, daemon=True)
    reader.start()
    reader.join(60)
    try:
        assert not reader.is_alive(), f"the session never answered: {bytes(seen)!r}"
        assert b"typed-42-early" in seen and session.command[0] == "sh"
    finally:
        session.close()
