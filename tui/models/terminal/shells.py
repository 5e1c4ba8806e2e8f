"""Which shell a new terminal starts where: chosen per workload (pods of one app share it), else per image;
unset means bash, else sh."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

SUGGESTED_SHELLS = ["bash", "sh", "ash", "zsh"]

# Labels that name the app a pod belongs to, most specific first (the recommended label, then the usual ones).
APP_LABELS = ("app.kubernetes.io/instance", "app.kubernetes.io/name", "app", "k8s-app", "job-name")
_REPLICA_SET_SUFFIX = re.compile(r"-[a-z0-9]{5}$")  # the random end of a ReplicaSet's or a Job's pod name
_ORDINAL = re.compile(r"-\d+$")


def parse_command(text: str) -> tuple[str, ...]:
    """A command line as the shell would split it; ValueError in words when there is none."""
    try:
        words = tuple(shlex.split(text))
    except ValueError as exc:
        raise ValueError(f"cannot read {text!r} as a command: {exc}") from exc
    if not words:
        raise ValueError("no command given")
    return words


def workload_key(namespace: str, name: str, labels: Mapping[str, str]) -> str:
    """A name for "this pod and the ones that replace it": a pod of a Deployment, StatefulSet or Job gets a new
    name each time, so the choice is kept under its app label, else its name without the generated end
    (Deployment `train-7d4b9c8f5-x2k8q`, StatefulSet `train-0`, Job `train-x2k8q`: `train`), else the pod's name."""
    for label in APP_LABELS:
        if labels.get(label):
            return f"{namespace}/{labels[label]}"
    base = name
    template_hash = labels.get("pod-template-hash")
    if template_hash and base.endswith(f"-{template_hash}", 0, len(base) - 6):
        base = base[: -len(template_hash) - 7]  # Deployment: NAME-HASH-xxxxx
    elif labels.get("controller-revision-hash") or labels.get("statefulset.kubernetes.io/pod-name"):
        base = _ORDINAL.sub("", base)  # StatefulSet: NAME-0
    elif labels.get("controller-uid") or labels.get("batch.kubernetes.io/controller-uid"):
        base = _REPLICA_SET_SUFFIX.sub("", base)  # Job: NAME-xxxxx
    return f"{namespace}/{base}"


@dataclass
class ShellPreferences:
    """Per workload (see workload_key) first, then per image (every pod or container of that image)."""

    by_pod: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_image: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def command_for(self, pod_key: str | None, image: str) -> tuple[str, ...] | None:
        return (self.by_pod.get(pod_key) if pod_key else None) or self.by_image.get(image)

    def remember(self, pod_key: str | None, image: str, command: tuple[str, ...]) -> None:
        if pod_key:
            self.by_pod[pod_key] = command
        if image:
            self.by_image[image] = command
