"""The project's pod found already there (started by an earlier session's g, or by g in another terminal), so its
`forwards:` can start without a new loop: the project's first pod, by its experiment label, not finished."""

from __future__ import annotations

from dataclasses import dataclass

from tui.models.deploy.pod_template import EXPERIMENT_LABEL, MANAGED_SELECTOR, name_of, pods_of
from tui.models.project.project_file import Project
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.pods.experiment_pods import ExperimentPods
from tui.services.project.project_pod import project_manifests

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ProjectPod:
    namespace: str
    name: str
    experiment: str


def project_pod(kube: KubeService, project: Project) -> ProjectPod | None:
    """The project's pod as the loop labels it, when one is there and neither finished nor being deleted (a Running
    one first); None when there is none, or no pod or namespace to look for. ManifestError when the project's pod
    cannot be read; the client's errors as raised."""
    pods = pods_of(project_manifests(project))
    if not pods:
        return None
    labels = (pods[0].get("metadata") or {}).get("labels") or {}
    experiment = str(labels.get(EXPERIMENT_LABEL) or name_of(pods[0]))
    kube.api_client()  # the kubeconfig loaded: the app's namespace is the context's own
    namespace = project.namespace or kube.namespace
    if namespace == ALL_NAMESPACES:
        return None
    selector = f"{MANAGED_SELECTOR},{EXPERIMENT_LABEL}={experiment}"
    found = [
        p for p in ExperimentPods(kube).pods(namespace, selector, TIMEOUT_S) if not p.finished and not p.terminating
    ]
    found.sort(key=lambda p: p.phase != "Running")
    return ProjectPod(namespace, found[0].name, experiment) if found else None
