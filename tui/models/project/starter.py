"""A starter `k8sx.yaml` written from what the app knows (the last pushed repository, the last build's context and
Dockerfile, the pod in the editor or the template's fields, the namespace), with a comment on each key saying what
it does, so the first loop needs an edit or two, not a manual. Pure text: the project file's reader must take it."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from tui.models.images.image import ImageRef
from tui.models.project.project_file import DEFAULT_DATA_PATH, DEFAULT_RESULTS_PATH
from tui.models.project.sandbox import NODE, REAL_NODE_SELECTOR, REAL_NODE_TOLERATION, WHY

PLACEHOLDER_REGISTRY = "127.0.0.1:5000"
# A command that keeps the pod up for g's shell (an image's own CMD, python3 of python:slim, exits at once) and ends
# on SIGTERM, so deleting the pod takes no grace period. As YAML, as the loop's hint and the starter write it.
KEEP_ALIVE = """[sh, -c, "trap 'exit 0' TERM; sleep infinity & wait"]"""
DOCKERIGNORE = ".dockerignore"
DOCKERIGNORE_TEXT = "# written with k8sx.yaml: data and pulled results stay out of image builds\ndata/\nresults/\n"
FORWARDS_EXAMPLE = "forwards: [{name: tensorboard, port: 6006}]"
_COLUMN = 38  # where the comments start, as in the docs' example
# The template form's field names as the project file spells them (the reverse of the reader's).
_PROJECT_NAMES = {"claim_size": "claimSize", "storage_class": "storageClass", "mount_path": "mountPath",
                  "restart_policy": "restartPolicy", "node_selector": "nodeSelector",
                  "gpu_type": "gpuType"}  # fmt: skip
_TEMPLATE_COMMENTS = {
    "name": "the pod's name (a pod of that name is replaced by the next run)",
    "command": "shell words; none: the image's ENTRYPOINT",
    "args": "shell words; none: the image's CMD",
    "env": "environment variables",
    "cpu": "CPU request = limit",
    "memory": "memory request = limit",
    "gpu": "nvidia.com/gpu limit",
    "claim": "a PersistentVolumeClaim, mounted at mountPath",
    "claimSize": "created with this size when missing",
    "storageClass": "of this StorageClass (none: the cluster's default)",
    "mountPath": "where the claim is in the pod",
    "restartPolicy": "Never, OnFailure or Always",
    "nodeSelector": "run only on nodes with these labels",
    "tolerations": "run on nodes tainted so",
    "gpuType": "GKE accelerator (cloud.google.com/gke-accelerator): its nodeSelector and toleration are added",
    "spot": "only on spot nodes (cloud.google.com/gke-spot)",
}


@dataclass(frozen=True)
class StarterFacts:
    """What the app knows; "" where it knows nothing (a placeholder is written, with a comment saying so)."""

    folder_name: str  # the working directory's name: the image's name when nothing was pushed
    last_pushed: str = ""
    context: str = ""  # relative to the project file's folder where it can be
    dockerfile: str = ""
    pod_file: str = ""  # the editor's pod YAML file, else:
    template: Mapping[str, str] = field(default_factory=dict)  # the template form's fields
    namespace: str = ""
    sandbox: bool = False  # the cluster is the app's local sandbox stack: the pod asks for its real node


def starter_text(facts: StarterFacts) -> str:
    registry, image, repository_note = _repository(facts)
    lines = [
        "# k8sx.yaml: what g on the Deploy screen builds, pushes and runs. Every key is explained beside it;",
        "# after an edit, ctrl+w saves it (or P reads it again).",
        _line(f"image: {_flow(image)}", f"the repository path under the registry{repository_note}"),
        _line(f"registry: {_flow(registry)}", "or REGION-docker.pkg.dev/PROJECT/REPOSITORY"),
        _line('# tag: "0.1"', "optional: else one up from the last push of this image (0.1 the first time)"),
        "build:",
        _line(f"  context: {_flow(facts.context or '.')}", "the folder sent to the build, relative to this file"),
        _line(f"  dockerfile: {_flow(facts.dockerfile or 'Dockerfile')}", "relative to this file"),
        _line('  # args: {PYTHON: "3.11"}', "optional: build arguments (ARG in the Dockerfile)"),
    ]
    if facts.namespace:
        lines.append(_line(f"namespace: {_flow(facts.namespace)}", "where the pod goes (none: the app's)"))
    else:
        lines.append(_line("# namespace: experiments", "optional: where the pod goes, else the app's"))
    lines.append("pod:")
    if facts.pod_file:
        lines.append(_line(f"  file: {_flow(facts.pod_file)}", "the pod YAML the loop applies (its image replaced)"))
        lines.append("  # template: {...}                   # or the template's fields instead of a file")
        if facts.sandbox:
            lines.append(f"  # Note: {WHY},")
            lines.append(f"  # {NODE}: the file's pod needs nodeSelector: {_flow(REAL_NODE_SELECTOR)}")
            lines.append(f"  # and tolerations: {_flow([REAL_NODE_TOLERATION])}")
    else:
        lines.append(_line("  template:", "the pod, as the template's fields (or file: pod.yml)"))
        template = _template(facts.template)
        fields = [_line(f"    {key}: {_flow(value)}", _TEMPLATE_COMMENTS.get(key, "")) for key, value in template]
        keys = [key for key, _ in template]
        if "command" not in keys:  # under the name: the first thing to change for a real run
            at = keys.index("name") + 1 if "name" in keys else 0
            fields[at:at] = _keep_alive()
        lines += fields
        lines += _sandbox_node(facts, {key for key, _ in template})
    lines += [
        "paths:",
        _line(f"  data: {DEFAULT_DATA_PATH}", "where u on the Pods screen copies data to, in the pod"),
        _line(f"  results: {DEFAULT_RESULTS_PATH}", "where r on the Pods screen pulls results from"),
        "  # code: /app                          # where U syncs code to (else the Dockerfile's COPY . / WORKDIR)",
        _line(f"# {FORWARDS_EXAMPLE}", "optional: forwarded to 127.0.0.1 once g has the pod Running"),
    ]
    return "\n".join(lines) + "\n"


def _keep_alive() -> list[str]:
    """The template's command when the form has none: without one the image's CMD runs and may exit at once
    (python:slim's python3 does), leaving g no pod to open a shell in."""
    return [
        "    # keeps the pod running for g's shell (the image's own CMD, e.g. python3, may exit at once);",
        "    # it ends on SIGTERM, so deleting the pod is quick.",
        _line(f"    command: {KEEP_ALIVE}", "put your own here, or run it from the shell"),
    ]


def _sandbox_node(facts: StarterFacts, given: set[str]) -> list[str]:
    """On the sandbox stack, the template's nodeSelector and toleration of its real node (unless the template has
    its own), with a comment saying why; elsewhere nothing."""
    if not facts.sandbox or {"nodeSelector", "tolerations"} & given:
        return []
    return [
        f"    # {WHY},",
        f"    # {NODE}: these two lines ask for it (remove them on another cluster).",
        _line(f"    nodeSelector: {_flow(REAL_NODE_SELECTOR)}", _TEMPLATE_COMMENTS["nodeSelector"]),
        _line(f"    tolerations: {_flow([REAL_NODE_TOLERATION])}", _TEMPLATE_COMMENTS["tolerations"]),
    ]


def _repository(facts: StarterFacts) -> tuple[str, str, str]:
    """(registry, image, a note for the image's comment): the last push's, else a placeholder to change."""
    if facts.last_pushed:
        try:
            ref = ImageRef.parse(facts.last_pushed)
        except ValueError:
            pass
        else:
            return ref.registry, ref.repository, f" (from the last push, {ref.name})"
    name = "".join(c if c.isalnum() or c in "._-" else "-" for c in facts.folder_name.lower()).strip("._-") or "exp"
    return PLACEHOLDER_REGISTRY, name, ": nothing pushed yet, change it and the registry to yours"


def _template(values: Mapping[str, str]) -> list[tuple[str, Any]]:
    """The form's non-empty fields as project-file values (env, nodeSelector and tolerations as YAML structures)."""
    found: list[tuple[str, Any]] = []
    for name, text in values.items():
        if name == "image" or not str(text).strip():
            continue  # the image is the project's own repository, with the pushed tag
        key = _PROJECT_NAMES.get(name, name)
        value: Any = text
        if key == "env":
            value = dict(_pair(word, "=") for word in shlex.split(text))
        elif key == "gpu" and text.strip().isdigit():
            value = int(text)
        elif key == "nodeSelector":
            value = dict(_pair(pair, "=") for pair in text.split(",") if pair)
        elif key == "tolerations":
            value = [_toleration(item.strip()) for item in text.split(",") if item.strip()]
        elif key == "spot":
            value = True
        found.append((key, value))
    return found


def _pair(text: str, separator: str) -> tuple[str, str]:
    name, _, value = text.partition(separator)
    return name, value


def _toleration(text: str) -> dict[str, str]:
    """`key[=value][:Effect]` (the template form's) as a toleration mapping."""
    rest, _, effect = text.partition(":")
    key, equals, value = rest.partition("=")
    toleration = {"key": key, "operator": "Equal" if equals else "Exists"}
    if equals:
        toleration["value"] = value
    if effect:
        toleration["effect"] = effect
    return toleration


def _flow(value: Any) -> str:
    """One value as YAML on one line, quoted where YAML needs it (`0.10`, `yes`, `a: b`)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True, sort_keys=False)
    text = text.strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _line(code: str, comment: str) -> str:
    return f"{code.ljust(_COLUMN - 1)} # {comment}" if comment else code
