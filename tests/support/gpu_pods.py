"""Pods on kwok nodes for the resource tests: exact CPU and memory usage (kwok's ResourceUsage reads the annotations)
and, for GPU pods, a stand-in `nvidia-smi` on the PATH of their exec'd commands (kwok runs those on this machine, in
the test's folder) that prints what the real one prints: `folder/answer`, which a test may change while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAND_IN = """#!/bin/sh
here=$(dirname "$0")
[ -n "$K8SX_SMI_LOG" ] && echo "start $(date +%s.%N)" >>"$K8SX_SMI_LOG"
[ -f "$here/delay" ] && sleep "$(cat "$here/delay")"
cat "$here/answer"
[ -n "$K8SX_SMI_LOG" ] && echo "end $(date +%s.%N)" >>"$K8SX_SMI_LOG"
exit 0
"""


def fake_nvidia_smi(folder: Path, answer: bytes | str, delay_s: float = 0.0) -> Path:
    """`folder`/bin/nvidia-smi printing `answer`; returns the bin folder (for the pod's PATH)."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "nvidia-smi"
    script.write_text(STAND_IN)
    script.chmod(0o755)
    set_answer(folder, answer)
    if delay_s:
        (bin_dir / "delay").write_text(f"{delay_s}\n")
    return bin_dir


def set_answer(folder: Path, answer: bytes | str) -> None:
    (folder / "bin" / "answer").write_bytes(answer.encode() if isinstance(answer, str) else answer)


def resource_pod(
    name: str,
    cpu: str = "20m",
    memory: str = "10Mi",
    requests: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
    gpus: int = 0,
    exec_dir: Path | None = None,
    envs: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A kwok pod using exactly `cpu` and `memory`, asking for `gpus` (on the GPU-capable kwok-node-*), and its kwok
    Exec object when `exec_dir` is given: its commands run there with `envs` (PATH=… for a stand-in nvidia-smi)."""
    requests, limits = dict(requests or {}), dict(limits or {})
    if gpus:
        limits["nvidia.com/gpu"] = gpus
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/usage-cpu": cpu, "kwok.x-k8s.io/usage-memory": memory},
        },
        "spec": {
            "nodeSelector": {"type": "kwok"},
            "containers": [{"name": "main", "image": "busybox", "resources": {"requests": requests, "limits": limits}}],
        },
    }
    objects = [pod]
    if exec_dir is not None:
        local: dict[str, Any] = {"workDir": str(exec_dir)}
        if envs:
            local["envs"] = [{"name": key, "value": value} for key, value in envs.items()]
        spec = {"execs": [{"local": local}]}
        objects.append(
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": name}, "spec": spec}
        )
    return objects


def gpu_pod_with_smi(name: str, folder: Path, answer: bytes | str, **envs: str) -> list[dict[str, Any]]:
    """A 1-GPU kwok pod whose `nvidia-smi` prints `answer` (stand-in in `folder`/bin)."""
    folder.mkdir(parents=True, exist_ok=True)
    bin_dir = fake_nvidia_smi(folder, answer)
    path = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"}
    return resource_pod(name, gpus=1, exec_dir=folder, envs=path | envs)
