"""The deploy screen's forms: the pod template, a YAML file to open, a fan-out (pods or an Indexed Job). Each keeps
what was typed, so a form reopened after an error (or next time) starts from the user's own values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.models.deploy.pod_template import Manifest, fan_out, indexed_job, with_labels
from tui.screens.common.forms import Field, FormValues

TEMPLATE_DEFAULTS: dict[str, str] = {
    "name": "exp",
    "image": "",
    "command": "",
    "args": "",
    "env": "",
    "cpu": "",
    "memory": "",
    "gpu_type": "",
    "gpu": "",
    "spot": "",
    "claim": "results",
    "claim_size": "1Gi",
    "storage_class": "",
    "mount_path": "/persistent",
    "restart_policy": "Never",
    "node_selector": "",
    "tolerations": "",
}

_TEMPLATE_LABELS: list[tuple[str, str, str]] = [
    ("name", "Pod name", "exp"),
    ("image", "Image (the last pushed one is filled in)", "REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:0.1"),
    (
        "command",
        "Command (shell words; empty: the image's ENTRYPOINT)",
        "sh -c 'python train.py --out /persistent/out'",
    ),
    ("args", "Args (shell words; empty: the image's CMD)", "--epochs 3"),
    ("env", "Environment (KEY=value, space-separated, shell-quoted)", "EPOCHS=3 MODE='fast run'"),
    ("cpu", "CPU (request = limit)", "2 or 500m"),
    ("memory", "Memory (request = limit)", "4Gi"),
    ("gpu_type", "GPU type (nodeSelector cloud.google.com/gke-accelerator; picked above, or typed)", "nvidia-l4"),
    ("gpu", "GPUs (limit nvidia.com/gpu)", "0"),
    ("spot", "Spot nodes only (nodeSelector and toleration cloud.google.com/gke-spot=true)", ""),
    ("claim", "PersistentVolumeClaim (empty: none)", "results"),
    ("claim_size", "… create it with this size (empty: it exists already)", "10Gi"),
    ("storage_class", "… of this StorageClass (empty: the cluster's default)", "standard"),
    ("mount_path", "… mounted at", "/persistent"),
    ("restart_policy", "restartPolicy (Never, OnFailure, Always)", "Never"),
    ("node_selector", "nodeSelector (key=value,…; optional)", "cloud.google.com/gke-accelerator=nvidia-l4"),
    ("tolerations", "Tolerations (key[=value][:Effect],…; optional)", "nvidia.com/gpu:NoSchedule"),
]


def template_fields(values: dict[str, str]) -> list[Field]:
    return [
        Field(name, label, values.get(name, ""), placeholder, switch=name == "spot", required=name in ("name", "image"))
        for name, label, placeholder in _TEMPLATE_LABELS
    ]


def text_values(values: FormValues) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if not isinstance(value, bool)}


def template_values(values: FormValues) -> dict[str, str]:
    """The template form's values as kept for next time (the spot tick as "yes" or "")."""
    return {key: ("yes" if value else "") if isinstance(value, bool) else value for key, value in values.items()}


def open_fields(path: str) -> list[Field]:
    return [Field("path", "Pod YAML file", path, "pod.yml", required=True)]


def default_yaml_path(cwd: Path) -> str:
    for name in ("pod.yml", "pod.yaml"):
        if (cwd / name).is_file():
            return str(cwd / name)
    return str(cwd / "pod.yml")


FAN_OUT_DEFAULTS: dict[str, str] = {"name": "", "count": "5", "job": "", "parallelism": ""}


def fan_out_fields(values: dict[str, str]) -> list[Field]:
    return [
        Field("name", "Fan-out name (label k8sx.dev/fanout=NAME)", values["name"], required=True),
        Field("count", "How many (indexes 0 … N-1)", values["count"], "5", required=True),
        Field(
            "job",
            "As one Indexed Job (batch/v1), not N plain pods NAME-0 … NAME-N-1",
            values["job"],
            switch=True,
        ),
        Field("parallelism", "… running this many at a time (empty: all at once)", values["parallelism"], "2"),
    ]


def fan_out_values(values: FormValues) -> dict[str, str]:
    """The form's values as kept for next time (the switch as "yes" or "")."""
    kept = text_values(values)
    kept["job"] = "yes" if values.get("job") is True else ""
    return kept


@dataclass(frozen=True)
class FanOutRequest:
    """What the fan-out form asked for, made: N labelled pods or one Indexed Job."""

    name: str
    count: int
    job: bool
    manifests: list[Manifest]

    @property
    def what(self) -> str:
        if self.job:
            return f"Indexed Job {self.name} of {self.count}"
        return f"{self.count} pods {self.name}-0 … {self.name}-{self.count - 1}"


def fan_out_request(pod: Manifest, values: dict[str, str]) -> FanOutRequest:
    """From the form's kept values (see fan_out_values); ValueError (TemplateError) names what cannot be used."""
    name, job = values["name"], bool(values["job"])
    try:
        count = int(values["count"])
    except ValueError:
        raise ValueError(f"count: {values['count']!r} is not a whole number") from None
    try:
        parallelism = int(values["parallelism"]) if values["parallelism"] else None
    except ValueError:
        raise ValueError(f"parallelism: {values['parallelism']!r} is not a whole number") from None
    labelled = with_labels(pod, name)
    manifests = [indexed_job(labelled, count, name, parallelism)] if job else fan_out(labelled, count, name)
    return FanOutRequest(name, count, job, manifests)
