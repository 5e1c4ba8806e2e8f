"""Which runs are on GKE (and in which GCP project), and the question Cloud Logging is asked about one of their
containers: as a Logging query language filter, a `gcloud logging read` command and a Cloud Console link."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from tui.models.runs.run import Run
from tui.services.kube.kube import kubeconfig_paths
from tui.services.runs.log_archive import key_parts

AFTER_END_S = 300  # lines reach Cloud Logging a little after they are written: the range goes on 5 min past the end
MAX_ENTRIES = 50_000  # --limit: more than anyone reads here; the console has the rest
CONSOLE = "https://console.cloud.google.com/logs/query"
# gke_PROJECT_LOCATION_CLUSTER (project ids have no "_"; a domain-scoped one holds "." and ":")
_GKE_NAME = re.compile(r"^gke_([a-z0-9.:-]+)_([a-z0-9-]+)_(.+)$")


def gke_project(context: str, kubeconfigs: Sequence[Path] | None = None) -> str:
    """The GCP project of a GKE context, from its name (`gke_PROJECT_ZONE_CLUSTER`, as `gcloud container clusters
    get-credentials` names it) or, for a renamed context, from its cluster's name in the kubeconfig; "" if not GKE."""
    for name in (context, kubeconfig_cluster(context, kubeconfigs)):
        if found := _GKE_NAME.match(name or ""):
            return found.group(1)
    return ""


def kubeconfig_cluster(context: str, paths: Sequence[Path] | None = None) -> str:
    """The cluster name the kubeconfig gives a context (where kubectl looks: $KUBECONFIG or ~/.kube/config)."""
    if not context:
        return ""
    for path in [Path(p) for p in kubeconfig_paths(None)] if paths is None else paths:
        try:
            with path.open("rb") as file:
                config: Any = yaml.safe_load(file.read(1024 * 1024))
        except (OSError, yaml.YAMLError):
            continue
        for entry in (config.get("contexts") or []) if isinstance(config, dict) else []:
            if isinstance(entry, dict) and entry.get("name") == context and isinstance(entry.get("context"), dict):
                return str(entry["context"].get("cluster") or "")
    return ""


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def quoted(value: str) -> str:
    """A string value in the Logging query language (names come from a manifest: quotes and backslashes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class CloudQuery:
    """One container's log of a run in Cloud Logging (all containers when `container` is empty)."""

    project: str
    namespace: str
    pod: str  # the pod's name; empty for a Job whose pod was never seen (then `job` picks its pods)
    start: float  # epoch seconds: the apply
    end: float | None  # the run's end (the range goes AFTER_END_S past it); None while it runs
    container: str = ""
    job: str = ""

    @classmethod
    def of_run(cls, run: Run, project: str) -> CloudQuery:
        job = run.name if run.kind == "Job" and not run.pod else ""
        return cls(project, run.namespace, run.pod or ("" if job else run.name), run.created, run.ended, job=job)

    @property
    def until(self) -> float | None:
        return self.end + AFTER_END_S if self.end is not None else None

    def filter(self) -> str:
        parts = ['resource.type="k8s_container"', f"resource.labels.namespace_name={quoted(self.namespace)}"]
        if self.pod:
            parts.append(f"resource.labels.pod_name={quoted(self.pod)}")
        if self.job:  # GKE labels a pod's entries with its pod labels; the Job controller sets job-name
            parts.append(f'labels."k8s-pod/job-name"={quoted(self.job)}')
        if self.container:
            parts.append(f"resource.labels.container_name={quoted(self.container)}")
        parts.append(f'timestamp>="{rfc3339(self.start)}"')
        if self.until is not None:
            parts.append(f'timestamp<="{rfc3339(self.until)}"')
        return " AND ".join(parts)

    def command(self, limit: int = MAX_ENTRIES) -> list[str]:
        return [
            "gcloud", "logging", "read", self.filter(), "--project", self.project,
            "--format=json", "--order=asc", f"--limit={limit}",
        ]  # fmt: skip

    def console_url(self) -> str:
        """The Logs Explorer with this filter and time range (the query and the range percent-encoded)."""
        until = self.until if self.until is not None else datetime.now(UTC).timestamp()
        time_range = quote(f"{rfc3339(self.start)}/{rfc3339(until)}", safe="")
        return (
            f"{CONSOLE};query={quote(self.filter(), safe='')};storageScope=project;timeRange={time_range}"
            f"?project={quote(self.project, safe='')}"
        )


def not_gke(run: Run) -> str:
    return (
        f"run {run.id} ran in context {run.context!r}, not a GKE cluster's: Cloud Logging has logs of GKE clusters "
        "only (a context named gke_PROJECT_LOCATION_CLUSTER, or whose cluster is)"
    )


def container_query(cloud: CloudQuery, key: str) -> CloudQuery:
    """The Cloud Logging question for one archive key (`container`, or a Job pod's `pod/container`)."""
    pod, container = key_parts(key)
    return replace(cloud, pod=pod, job="", container=container) if pod else replace(cloud, container=container)
