"""The cluster's GPU types for the template form: one node list call (the Nodes view's), read into types."""

from __future__ import annotations

from tui.models.deploy.accelerators import ClusterGpus, cluster_gpus
from tui.services.kube.kube import KubeService
from tui.services.nodes.nodes import NodesService


def read_cluster_gpus(kube: KubeService) -> ClusterGpus:
    """Raises what the node list raises (forbidden, unreachable): the caller says it in words."""
    return cluster_gpus(NodesService(kube).nodes())
