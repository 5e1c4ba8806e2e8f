"""A run recorded for every pod or Job the app starts: what was applied (the manifest as sent, its images,
parameters and requests), where (context, API server, namespace) and from what (the project file, the code)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from tui.models.deploy.pod_template import Manifest, name_of, pod_index
from tui.models.metrics.quantity import parse_quantity
from tui.models.project.project_file import ProjectError
from tui.models.runs.run import CodeState, Run
from tui.services.kube.kube import KubeService
from tui.services.project.project_file import find_project, load_project
from tui.services.runs.code_state import code_state
from tui.services.runs.store import RunNotFound, RunStore, new_run_id

PROJECT_TEXT_LIMIT = 2**20  # a k8sx.yaml is a few lines: a larger one is kept only this far
RUN_KINDS = ("Pod", "Job")
# What a run requests, under the names the Runs screen shows.
REQUESTS = {"cpu": "cpu", "memory": "memory", "nvidia.com/gpu": "gpu"}


class RunRecorder:
    def __init__(self, store: RunStore, kube: KubeService) -> None:
        self.store = store
        self.kube = kube

    def record_applied(self, namespace: str, manifests: list[Manifest], project_root: Path | None) -> list[Run]:
        """One run per Pod or Job of `manifests` (as they were sent), all sharing the project and code read once."""
        started = [m for m in manifests if m.get("kind") in RUN_KINDS]
        if not started:
            return []
        project, code = _project_and_code(project_root)
        server = str(self.kube.api_client().configuration.host or "")  # (loads the kubeconfig: its context too)
        context = self.kube.context or ""
        now = time.time()
        runs: list[Run] = []
        for manifest in started:
            pod_spec = _pod_spec(manifest)
            run = Run(
                id=self._new_id({run.id for run in runs}, now),
                name=name_of(manifest),
                kind=str(manifest["kind"]),
                namespace=namespace,
                context=context,
                server=server,
                created=now,
                manifest=yaml.safe_dump(manifest, sort_keys=False),
                images=images_of(pod_spec),
                code=code,
                project=project,
                params=params_of(manifest, pod_spec),
                requests=requests_of(pod_spec),
            )
            self.store.record(run)
            runs.append(run)
        return runs

    def _new_id(self, taken: set[str], now: float) -> str:
        """A fresh id: a fan-out's runs share the minute, and four hex digits repeat among a hundred of them."""
        while True:
            candidate = new_run_id(now)
            if candidate in taken:
                continue
            try:
                self.store.get(candidate)
            except RunNotFound:
                return candidate


def _project_and_code(root: Path | None) -> tuple[str, CodeState | None]:
    """k8sx.yaml's text as read, and the code state of the build context it names (else of `root` itself)."""
    if root is None:
        return "", None
    found = find_project(root)
    if found is None:
        return "", code_state(root)
    try:
        with found.open("rb") as handle:
            text = handle.read(PROJECT_TEXT_LIMIT).decode(errors="replace")
    except OSError:
        text = ""
    try:
        project = load_project(found)
    except ProjectError:  # the apply did not need it: the folder it is in is the context by default
        return text, code_state(root)
    return text, code_state(project.resolve(project.context))


def _pod_spec(manifest: Manifest) -> Mapping[str, Any]:
    spec = _mapping(manifest.get("spec"))
    if manifest.get("kind") == "Job":
        spec = _mapping(_mapping(spec.get("template")).get("spec"))
    return spec


def _containers(pod_spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    found = pod_spec.get(key)
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


def images_of(pod_spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Each image once: the containers' first (the first one is what a list shows), then the init containers'."""
    containers = [*_containers(pod_spec, "containers"), *_containers(pod_spec, "initContainers")]
    return tuple(dict.fromkeys(str(c["image"]) for c in containers if c.get("image")))


def params_of(manifest: Manifest, pod_spec: Mapping[str, Any]) -> dict[str, Any]:
    """What an experiment is usually varied by: each container's command, args and env; a fan-out pod's index; a
    Job's completions."""
    params: dict[str, Any] = {}
    containers: dict[str, Any] = {}
    for container in [*_containers(pod_spec, "initContainers"), *_containers(pod_spec, "containers")]:
        said: dict[str, Any] = {}
        for key in ("command", "args"):
            if isinstance(container.get(key), list):
                said[key] = [str(word) for word in container[key]]
        env = _env(container.get("env"))
        if env:
            said["env"] = env
        if said:
            containers[str(container.get("name", ""))] = said
    if containers:
        params["containers"] = containers
    metadata = _mapping(manifest.get("metadata"))
    labels, annotations = _mapping(metadata.get("labels")), _mapping(metadata.get("annotations"))
    index = pod_index({k: str(v) for k, v in labels.items()}, {k: str(v) for k, v in annotations.items()})
    if index is not None:
        params["index"] = index
    spec = _mapping(manifest.get("spec"))
    if manifest.get("kind") == "Job" and isinstance(spec.get("completions"), int):
        params["completions"] = spec["completions"]
    return params


def _env(variables: object) -> dict[str, str]:
    """name -> value; a value taken from elsewhere (a field, a secret) as where from, never the secret itself."""
    env: dict[str, str] = {}
    for variable in variables if isinstance(variables, list) else []:
        if not isinstance(variable, Mapping) or "name" not in variable:
            continue
        source = variable.get("valueFrom")
        env[str(variable["name"])] = f"(from {_source(source)})" if source else str(variable.get("value", ""))
    return env


def _source(source: object) -> str:
    """`fieldRef metadata.name`, `secretKeyRef token/key`: where a variable's value comes from, in a few words."""
    for kind, reference in _mapping(source).items():
        fields = _mapping(reference)
        named = "/".join(str(fields[k]) for k in ("name", "key") if k in fields)
        return f"{kind} {fields.get('fieldPath') or fields.get('resource') or named}".strip()
    return "elsewhere"


def requests_of(pod_spec: Mapping[str, Any]) -> dict[str, str]:
    """cpu, memory and gpu as the scheduler counts them: the containers' summed (a limit stands for a missing
    request), or the largest init container's when that is more."""
    summed = _requests(_containers(pod_spec, "containers"), sum)
    first = _requests(_containers(pod_spec, "initContainers"), max)
    total = {key: max(summed.get(key, Decimal(0)), first.get(key, Decimal(0))) for key in {*summed, *first}}
    return {REQUESTS[key]: _quantity(key, total[key]) for key in REQUESTS if total.get(key)}


def _requests(
    containers: list[Mapping[str, Any]], combine: Callable[[list[Decimal]], Decimal | int]
) -> dict[str, Decimal]:
    values: dict[str, list[Decimal]] = {}
    for container in containers:
        resources = _mapping(container.get("resources"))
        requests, limits = _mapping(resources.get("requests")), _mapping(resources.get("limits"))
        for key in REQUESTS:
            amount = parse_quantity(requests.get(key, limits.get(key)))
            if amount is not None and amount > 0:
                values.setdefault(key, []).append(amount)
    return {key: Decimal(combine(amounts)) for key, amounts in values.items()}


def _quantity(key: str, amount: Decimal) -> str:
    """As people write them: `1500m` or `2` cores, `3Gi` or `1500M` bytes, whole GPUs."""
    if key == "cpu":
        return f"{amount.normalize():f}" if amount == amount.to_integral_value() else f"{int(amount * 1000)}m"
    if key == "memory":
        whole = int(amount)
        for suffix, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if whole >= size and whole % size == 0:
                return f"{whole // size}{suffix}"
        for suffix, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
            if whole >= size and whole % size == 0:
                return f"{whole // size}{suffix}"
        return str(whole)
    return f"{amount.normalize():f}"


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
