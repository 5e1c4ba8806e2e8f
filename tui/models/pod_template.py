"""Pod manifests as the deploy screen makes and changes them: read from YAML (errors with line and column), built
from a template (image, command, env, resources with GPUs, a claim mounted at a path), labelled as the app's own,
the image swapped for the last pushed one, fanned out into N indexed pods. Pure logic, no I/O."""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

import yaml

Manifest = dict[str, Any]

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "k8sx-tui"
MANAGED_SELECTOR = f"{MANAGED_BY_LABEL}={MANAGED_BY}"
EXPERIMENT_LABEL = "k8sx.dev/experiment"
FANOUT_LABEL = "k8sx.dev/fanout"
INDEX_LABEL = "k8sx.dev/index"
GPU_RESOURCE = "nvidia.com/gpu"
INDEX_PLACEHOLDER = "{index}"
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
        for container in (copy_.get("spec") or {}).get("containers") or []:
            for key in ("command", "args"):
                if isinstance(container.get(key), list):
                    container[key] = [str(a).replace(INDEX_PLACEHOLDER, str(index)) for a in container[key]]
            for variable in container.get("env") or []:
                if isinstance(variable.get("value"), str):
                    variable["value"] = variable["value"].replace(INDEX_PLACEHOLDER, str(index))
        labels = copy_["metadata"].get("labels") or {}
        labels.update({FANOUT_LABEL: base, INDEX_LABEL: str(index)})
        copy_["metadata"]["labels"] = labels
        pods.append(copy_)
    return pods


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
        if self.node_selector:
            spec["nodeSelector"] = dict(self.node_selector)
        if self.tolerations:
            spec["tolerations"] = [dict(t) for t in self.tolerations]
        out.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": self.name}, "spec": spec})
        return out


# The template form's fields, by name (the screen builds its form from these, the project file uses the same).
TEMPLATE_FIELDS = (
    "name", "image", "command", "args", "env", "cpu", "memory", "gpu",
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
    return PodTemplate(
        name=name,
        image=image,
        command=_words("command", get("command")),
        args=_words("args", get("args")),
        env=_pairs("env", get("env"), " "),
        cpu=get("cpu"),
        memory=get("memory"),
        gpu=gpu,
        claim=claim,
        restart_policy=restart,
        node_selector=_pairs("node_selector", get("node_selector"), ","),
        tolerations=parse_tolerations(get("tolerations")),
    )


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
