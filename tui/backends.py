"""The one place where the app's backends are built from the launch options; tests build their own."""

from __future__ import annotations

from dataclasses import dataclass

from tui.launch import LaunchOptions
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService


@dataclass(frozen=True)
class Backends:
    kube: KubeService
    docker: DockerService


def backends_from(options: LaunchOptions) -> Backends:
    return Backends(
        kube=KubeService(options.kubeconfig, options.context, options.namespace, options.exec_protocol),
        docker=DockerService(options.docker_host),
    )
