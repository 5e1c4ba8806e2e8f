"""Pod manifests as the deploy screen makes and changes them: read from YAML (errors with line and column), built
from a template (image, command, env, resources, GPUs of a GKE type on spot nodes or not, a claim mounted at a path),
labelled as the app's own, the image swapped for the last pushed one, fanned out into N indexed pods or one Indexed
Job. Pure logic, no I/O."""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

import yaml

from tui.models.deploy.accelerators import is_label_value
from tui.models.metrics.resources import ACCELERATOR_LABEL, SPOT_LABEL

Manifest = dict[str, Any]

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "k8sx-tui"
MANAGED_SELECTOR = f"{MANAGED_BY_LABEL}={MANAGED_BY}"
EXPERIMENT_LABEL = "k8sx.dev/experiment"
FANOUT_LABEL = "k8sx.dev/fanout"
INDEX_LABEL = "k8sx.dev/index"
GPU_RESOURCE = "nvidia.com/gpu"
INDEX_PLACEHOLDER = "{index}"
# What GKE puts on its GPU and spot nodes, and what a pod needs to be placed on one: the type's label selected, the
# taint tolerated (GKE taints GPU nodes nvidia.com/gpu=present:NoSchedule, spot ones cloud.google.com/gke-spot).
GPU_TOLERATION = {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}
SPOT_TOLERATION = {"key": SPOT_LABEL, "operator": "Equal", "value": "true", "effect": "NoSchedule"}
# What the Job controller sets on each pod of an Indexed Job (a label since Kubernetes 1.28, an annotation before),
# and the variable it puts into every container; Kubernetes expands $(VAR) in command, args and env values.
JOB_INDEX_KEY = "batch.kubernetes.io/job-completion-index"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
JOB_INDEX_VARIABLE = "JOB_COMPLETION_INDEX"
SUPPORTED_KINDS = ("Pod", "PersistentVolumeClaim")
RESTART_POLICIES = ("Never", "OnFailure", "Always")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?")


class ManifestError(Exception):
    """A manifest that cannot be used, in words; line and column (1-based) when YAML itself is broken."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class TemplateError(ValueError):
    """A template field with a value that cannot be used; `field` names it so the form can point at it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


# ---------------------------------------------------------------- reading YAML


def parse_manifests(text: str) -> list[Manifest]:
    """Every document of a YAML text, checked to be something the deploy screen can apply."""
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is None:
            raise ManifestError(f"invalid YAML: {problem}") from exc
        line, column = mark.line + 1, mark.column + 1
        raise ManifestError(f"invalid YAML at line {line}, column {column}: {problem}", line, column) from exc
    except yaml.YAMLError as exc:
        raise ManifestError(f"invalid YAML: {exc}") from exc
    if not documents:
        raise ManifestError("the YAML is empty: open a pod YAML (o) or make one from the template (t)")
    for number, doc in enumerate(documents, 1):
        where = f"document {number}" if len(documents) > 1 else "the manifest"
        if not isinstance(doc, dict):
            raise ManifestError(f"{where} is a {type(doc).__name__}, not a Kubernetes object (a mapping with kind)")
        kind = doc.get("kind")
        if kind not in SUPPORTED_KINDS:
            raise ManifestError(f"{where} has kind {kind!r}: the deploy screen applies {' and '.join(SUPPORTED_KINDS)}")
        name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
        if not name:
            raise ManifestError(f"{where} ({kind}) has no metadata.name")
    return documents


def to_yaml(manifests: list[Manifest]) -> str:
    return yaml.safe_dump_all(manifests, sort_keys=False, default_flow_style=False)


def pods_of(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") == "Pod"]


def name_of(manifest: Manifest) -> str:
    return str((manifest.get("metadata") or {}).get("name", ""))


# ---------------------------------------------------------------- labels, image, fan-out


def with_labels(manifest: Manifest, experiment: str, extra: dict[str, str] | None = None) -> Manifest:
    """A copy labelled as started by the app, so no pod it started is forgotten (the list, the quit prompt)."""
    labelled = copy.deepcopy(manifest)
    metadata = labelled.setdefault("metadata", {})
    labels = metadata.get("labels") or {}
    labels.update({MANAGED_BY_LABEL: MANAGED_BY, EXPERIMENT_LABEL: label_value(experiment), **(extra or {})})
    metadata["labels"] = labels
    return labelled


def label_value(text: str) -> str:
    """A label value from any name: 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:63].strip("-_.")
    return cleaned or "experiment"


def images_of(manifest: Manifest) -> list[str]:
    return [str(c.get("image", "")) for c in (manifest.get("spec") or {}).get("containers") or []]


def _repository(image: str) -> str:
    """The image without its tag or digest: `host:5000/team/train:0.3` -> `host:5000/team/train`."""
    name = image.split("@", 1)[0]
    colon, slash = name.rfind(":"), name.rfind("/")
    return name[:colon] if colon > slash else name


def replace_image(manifests: list[Manifest], image: str) -> tuple[list[Manifest], list[str]]:
    """Put `image` into the pods: into every container of the same repository (an older tag), else into the first
    container. Returns the changed manifests and what was replaced (`pod/container: old`)."""
    changed: list[str] = []
    result = copy.deepcopy(manifests)
    for pod in pods_of(result):
        containers = (pod.get("spec") or {}).get("containers") or []
        same = [c for c in containers if _repository(str(c.get("image", ""))) == _repository(image)]
        for container in same or containers[:1]:
            if container.get("image") != image:
                changed.append(f"{name_of(pod)}/{container.get('name')}: {container.get('image')}")
                container["image"] = image
    return result, changed


def _replace_index(pod_spec: Manifest, value: str) -> list[Manifest]:
    """`{index}` replaced by `value` in every command, args and env value of the containers (init ones too);
    returns the containers."""
    containers: list[Manifest] = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
    for container in containers:
        for key in ("command", "args"):
            if isinstance(container.get(key), list):
                container[key] = [str(a).replace(INDEX_PLACEHOLDER, value) for a in container[key]]
        for variable in container.get("env") or []:
            if isinstance(variable.get("value"), str):
                variable["value"] = variable["value"].replace(INDEX_PLACEHOLDER, value)
    return containers


def fan_out(pod: Manifest, count: int, name: str) -> list[Manifest]:
    """`count` copies of a pod, `NAME-0` … `NAME-{count-1}`, with `{index}` replaced by the index in every
    command, args and env value, labelled with the fan-out's name and the index (to filter and pull them)."""
    if count < 1:
        raise TemplateError("count", "must be at least 1")
    base = label_value(name)
    pods: list[Manifest] = []
    for index in range(count):
        copy_ = copy.deepcopy(pod)
        copy_.setdefault("metadata", {})["name"] = f"{name}-{index}"
        _replace_index(copy_.get("spec") or {}, str(index))
        labels = copy_["metadata"].get("labels") or {}
        labels.update({FANOUT_LABEL: base, INDEX_LABEL: str(index)})
        copy_["metadata"]["labels"] = labels
        pods.append(copy_)
    return pods


def indexed_job(pod: Manifest, count: int, name: str, parallelism: int | None = None) -> Manifest:
    """A batch/v1 Job with completionMode Indexed running the pod `count` times (indexes 0 … count-1),
    `parallelism` at a time (all at once by default). `{index}` becomes `$(JOB_COMPLETION_INDEX)`; that variable is
    declared first in every container (as the Job controller would, from the pod's index annotation), because the
    kubelet expands an env value's $(VAR) only from variables declared before it. The pod's labels (the app's own,
    so its pods are listed and never forgotten) go on the Job and on every pod it creates; its name does not (the
    controller names them NAME-INDEX-xxxxx). restartPolicy defaults to Never: a Job refuses Always."""
    if count < 1:
        raise TemplateError("count", "must be at least 1")
    if parallelism is not None and not 1 <= parallelism <= count:
        raise TemplateError("parallelism", f"must be between 1 and the count ({count})")
    template = copy.deepcopy(pod)
    metadata: Manifest = template.get("metadata") or {}
    labels = dict(metadata.get("labels") or {})
    labels.pop(INDEX_LABEL, None)  # one index per pod: the Job controller's label says it
    labels[FANOUT_LABEL] = label_value(name)
    pod_metadata: Manifest = {"labels": labels}
    if metadata.get("annotations"):
        pod_metadata["annotations"] = dict(metadata["annotations"])
    spec: Manifest = template.get("spec") or {}
    spec.setdefault("restartPolicy", "Never")
    for container in _replace_index(spec, f"$({JOB_INDEX_VARIABLE})"):
        env = container.get("env") or []
        if not any(variable.get("name") == JOB_INDEX_VARIABLE for variable in env):
            field_path = f"metadata.annotations['{JOB_INDEX_KEY}']"
            container["env"] = [
                {"name": JOB_INDEX_VARIABLE, "valueFrom": {"fieldRef": {"fieldPath": field_path}}},
                *env,
            ]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "completionMode": "Indexed",
            "completions": count,
            "parallelism": parallelism or count,
            "template": {"metadata": pod_metadata, "spec": spec},
        },
    }


def pod_index(labels: dict[str, str], annotations: dict[str, str] | None = None) -> int | None:
    """A fan-out pod's index: the app's label on plain pods, the Job controller's label or annotation on a Job's."""
    for value in (labels.get(INDEX_LABEL), labels.get(JOB_INDEX_KEY), (annotations or {}).get(JOB_INDEX_KEY)):
        if value is not None and value.isdigit():
            return int(value)
    return None


# ---------------------------------------------------------------- the template


@dataclass(frozen=True)
class ClaimSpec:
    """A PersistentVolumeClaim for the pod: an existing one (size empty), or a new one of that size and class."""

    name: str
    size: str = ""
    storage_class: str = ""
    mount_path: str = "/persistent"

    @property
    def is_new(self) -> bool:
        return bool(self.size)


@dataclass(frozen=True)
class PodTemplate:
    name: str
    image: str
    command: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cpu: str = ""
    memory: str = ""
    gpu: int = 0
    gpu_type: str = ""  # GKE's accelerator type: the pod goes to those nodes
    spot: bool = False  # on spot nodes only
    claim: ClaimSpec | None = None
    restart_policy: str = "Never"
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict[str, str]] = field(default_factory=list)

    def manifests(self) -> list[Manifest]:
        """The claim (when new) and the pod, in the order they must be applied."""
        container: Manifest = {"name": "main", "image": self.image}
        if self.command:
            container["command"] = list(self.command)
        if self.args:
            container["args"] = list(self.args)
        if self.env:
            container["env"] = [{"name": k, "value": v} for k, v in self.env.items()]
        requests = {k: v for k, v in (("cpu", self.cpu), ("memory", self.memory)) if v}
        limits: dict[str, Any] = dict(requests)
        if self.gpu:
            limits[GPU_RESOURCE] = self.gpu  # GPUs are limits only; the request defaults to the limit
        if requests or limits:
            container["resources"] = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
        spec: Manifest = {"restartPolicy": self.restart_policy, "containers": [container]}
        out: list[Manifest] = []
        if self.claim is not None:
            container["volumeMounts"] = [{"name": "persistent", "mountPath": self.claim.mount_path}]
            spec["volumes"] = [{"name": "persistent", "persistentVolumeClaim": {"claimName": self.claim.name}}]
            if self.claim.is_new:
                claim_spec: Manifest = {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": self.claim.size}},
                }
                if self.claim.storage_class:
                    claim_spec["storageClassName"] = self.claim.storage_class
                out.append(
                    {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "metadata": {"name": self.claim.name},
                        "spec": claim_spec,
                    }
                )
        selector, tolerations = self.placement()
        if selector:
            spec["nodeSelector"] = selector
        if tolerations:
            spec["tolerations"] = tolerations
        out.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": self.name}, "spec": spec})
        return out

    def gke_selector(self) -> dict[str, str]:
        """The nodeSelector the GPU type and the spot tick ask for."""
        selector = {ACCELERATOR_LABEL: self.gpu_type} if self.gpu_type else {}
        return selector | ({SPOT_LABEL: "true"} if self.spot else {})

    def placement(self) -> tuple[dict[str, str], list[dict[str, str]]]:
        """The nodeSelector and tolerations typed, with what the GPU type and spot need added (once)."""
        selector = dict(self.node_selector) | self.gke_selector()
        tolerations = [dict(t) for t in self.tolerations]
        needed = ([GPU_TOLERATION] if self.gpu_type else []) + ([SPOT_TOLERATION] if self.spot else [])
        return selector, tolerations + [dict(t) for t in needed if t not in tolerations]


# The template form's fields, by name (the screen builds its form from these, the project file uses the same).
TEMPLATE_FIELDS = (
    "name", "image", "command", "args", "env", "cpu", "memory", "gpu_type", "gpu", "spot",
    "claim", "claim_size", "storage_class", "mount_path", "restart_policy", "node_selector", "tolerations",
)  # fmt: skip


def template_from_form(values: dict[str, str]) -> PodTemplate:
    """A template from the form's text fields; TemplateError names the first field that cannot be used."""

    def get(name: str) -> str:
        return values.get(name, "").strip()

    name = get("name")
    if not _DNS_LABEL.fullmatch(name) or len(name) > 63:
        raise TemplateError("name", f"{name!r} is not a valid pod name (lowercase letters, digits and '-')")
    image = get("image")
    if not image:
        raise TemplateError("image", "needed (push an image first, or type a reference)")
    for key in ("cpu", "memory"):
        if get(key) and not _QUANTITY.fullmatch(get(key)):
            raise TemplateError(key, f"{get(key)!r} is not a quantity (e.g. 500m, 2, 4Gi)")
    try:
        gpu = int(get("gpu") or "0")
    except ValueError:
        raise TemplateError("gpu", f"{get('gpu')!r} is not a whole number") from None
    if gpu < 0:
        raise TemplateError("gpu", "cannot be negative")
    gpu_type = get("gpu_type")
    if gpu_type and not is_label_value(gpu_type):
        raise TemplateError("gpu_type", f"{gpu_type!r} is not a GPU type (a label value such as nvidia-tesla-t4)")
    if gpu_type and not gpu:
        raise TemplateError("gpu", f"how many GPUs of {gpu_type}? (at least 1, or no type)")
    restart = get("restart_policy") or "Never"
    if restart not in RESTART_POLICIES:
        raise TemplateError("restart_policy", f"{restart!r}: one of {', '.join(RESTART_POLICIES)}")
    claim: ClaimSpec | None = None
    if get("claim"):
        if not _DNS_LABEL.fullmatch(get("claim")):
            raise TemplateError("claim", f"{get('claim')!r} is not a valid claim name")
        if get("claim_size") and not _QUANTITY.fullmatch(get("claim_size")):
            raise TemplateError("claim_size", f"{get('claim_size')!r} is not a size (e.g. 10Gi)")
        mount = get("mount_path") or "/persistent"
        if not mount.startswith("/"):
            raise TemplateError("mount_path", f"{mount!r} must be an absolute path")
        claim = ClaimSpec(get("claim"), get("claim_size"), get("storage_class"), mount)
    template = PodTemplate(
        name=name,
        image=image,
        command=_words("command", get("command")),
        args=_words("args", get("args")),
        env=_pairs("env", get("env"), " "),
        cpu=get("cpu"),
        memory=get("memory"),
        gpu=gpu,
        gpu_type=gpu_type,
        spot=get("spot").lower() in ("yes", "true"),
        claim=claim,
        restart_policy=restart,
        node_selector=_pairs("node_selector", get("node_selector"), ","),
        tolerations=parse_tolerations(get("tolerations")),
    )
    for key, value in template.gke_selector().items():
        typed = template.node_selector.get(key)
        if typed is not None and typed != value:
            chosen = f"the GPU type {value}" if key == ACCELERATOR_LABEL else "the spot tick"
            raise TemplateError("node_selector", f"{key}={typed} contradicts {chosen}: leave one of them out")
    return template


def _words(field_name: str, text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise TemplateError(field_name, f"{exc} (quote as in a shell: sh -c 'echo hi')") from None


def _pairs(field_name: str, text: str, separator: str) -> dict[str, str]:
    """`A=1 B='two words'` (env, shell-quoted) or `type=real,zone=b` (node selector)."""
    items = _words(field_name, text) if separator == " " else [p.strip() for p in text.split(",") if p.strip()]
    pairs: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise TemplateError(field_name, f"{item!r} is not KEY=value")
        pairs[key] = value
    return pairs


def parse_tolerations(text: str) -> list[dict[str, str]]:
    """`key[=value][:Effect]`, comma-separated: `k8sx.dev/real-node:NoSchedule` tolerates the taint whatever its
    value (operator Exists); `gpu=true:NoSchedule` only that value (Equal)."""
    tolerations: list[dict[str, str]] = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        head, colon, effect = item.partition(":")
        if colon and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise TemplateError("tolerations", f"{item!r}: the effect is NoSchedule, PreferNoSchedule or NoExecute")
        key, equals, value = head.partition("=")
        if not key:
            raise TemplateError("tolerations", f"{item!r} has no key")
        toleration = {"key": key, "operator": "Equal" if equals else "Exists"}
        if equals:
            toleration["value"] = value
        if effect:
            toleration["effect"] = effect
        tolerations.append(toleration)
    return tolerations
