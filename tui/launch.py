"""Launch options: what the command line and the environment (as kubectl and docker read it) asked for; the
settings file is read in tui/settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LaunchOptions:
    kubeconfig: str | None = None  # None: $KUBECONFIG, then ~/.kube/config, as kubectl does
    context: str | None = None  # None: the kubeconfig's current-context
    namespace: str | None = None  # None: the context's namespace, then "default"
    docker_host: str | None = None  # None: $DOCKER_HOST, then the local socket, as the docker CLI does
    theme: str | None = None
    exec_protocol: str = "auto"  # how files move over exec: "auto" (SPDY, else websocket) or "websocket"
