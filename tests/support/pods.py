"""Test pods: on kwok nodes (kwok runs their exec'd commands on this machine), on the real node (a kubelet with
containerd), their claims, and a quota on pods."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stack import StackEnv, apply, kubectl, wait_for


def pod_phase(stack: StackEnv, namespace: str, name: str = "exp") -> str:
    return kubectl(stack, "get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}")


def wait_pod_phase(stack: StackEnv, namespace: str, name: str, phase: str = "Running", timeout: float = 30.0) -> None:
    wait_for(lambda: pod_phase(stack, namespace, name) == phase, timeout=timeout, what=f"pod {name} {phase}")


def manifest(*objects: dict[str, Any]) -> str:
    """Objects as one multi-document YAML, for `kubectl apply -f -` or create_from_yaml."""
    return yaml.safe_dump_all(objects, sort_keys=False)


# ---------------------------------------------------------------- pods on kwok nodes (exec runs on this machine)


def kwok_pod(
    name: str,
    containers: Sequence[str] = ("main",),
    labels: dict[str, str] | None = None,
    workdir: Path | None = None,
    envs: dict[str, str] | None = None,
    logs: list[dict[str, Any]] | None = None,
    attach_log: Path | None = None,
    tty: bool = False,
) -> str:
    """The manifest of a pod on a kwok node, with kwok's objects for what its exec, logs and attach do.
    kwok runs exec'd commands ON THIS MACHINE in `workdir` (always a temporary folder of the test) with `envs`;
    `logs`: kwok's Logs entries (logsFile, previousLogsFile, follow, containers); `attach_log`: what attach shows;
    `tty`: the containers have a TTY and stdin (as `kubectl run -it` starts them)."""
    tty_fields = {"tty": True, "stdin": True} if tty else {}
    pod_containers = [{"name": c, "image": "busybox"} | tty_fields for c in containers]
    metadata: dict[str, Any] = {"name": name} | ({"labels": labels} if labels else {})
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": metadata,
            "spec": {"nodeSelector": {"type": "kwok"}, "containers": pod_containers},
        }
    ]

    def kwok(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}

    if workdir is not None:
        local: dict[str, Any] = {"workDir": str(workdir)}
        if envs:
            local["envs"] = [{"name": key, "value": value} for key, value in envs.items()]
        objects.append(kwok("Exec", {"execs": [{"local": local}]}))
    if logs:
        objects.append(kwok("Logs", {"logs": logs}))
    if attach_log is not None:
        objects.append(kwok("Attach", {"attaches": [{"logsFile": str(attach_log)}]}))
    return manifest(*objects)


def pod_with_root(
    stack: StackEnv,
    namespace: str,
    root: Path,
    name: str = "exp",
    labels: dict[str, str] | None = None,
    wait: bool = True,
) -> None:
    """A kwok pod whose exec'd commands run in `root` on this machine."""
    apply(stack, namespace, kwok_pod(name, labels=labels, workdir=root))
    if wait:
        wait_pod_phase(stack, namespace, name)


def kwok_shell_pod(
    stack: StackEnv,
    namespace: str,
    root: Path,
    name: str = "exp",
    containers: tuple[str, ...] = ("main",),
    tty_container: bool = False,
) -> Path:
    """A Running kwok pod whose exec'd commands run on THIS machine in `root`/home (a temporary folder), with
    HOME there too (shell history, less and vim files stay in it), TERM=xterm-256color and the prompt `k8sx$ `
    (as an image's ENV would set them). Its attach output is `root`/attach.log (CRI log lines).
    tty_container: the containers are started with a TTY and stdin (as `kubectl run -it` does), for attach.
    Returns the working directory."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".bashrc").write_text("PS1='k8sx$ '\n")
    logfile = root / "attach.log"
    logfile.touch()
    envs = {"TERM": "xterm-256color", "HOME": str(home), "PS1": "k8sx$ ", "LESSHISTFILE": "-"}
    pod = kwok_pod(name, containers, workdir=home, envs=envs, attach_log=logfile, tty=tty_container)
    apply(stack, namespace, pod)
    wait_pod_phase(stack, namespace, name)
    return home


# ---------------------------------------------------------------- pods on the real node (a kubelet, containerd)
# Run every test that uses them under `flock /tmp/real-node.lock`: the node has only 4 local volumes.

REAL_NODE_TOLERATION = {"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}


def real_node_pod(
    name: str,
    image: str,
    command: list[str],
    restart: str | None = "Never",
    grace_s: int | None = 1,
    labels: dict[str, str] | None = None,
    claim: str | None = None,
) -> dict[str, Any]:
    """A pod for the real node running `command`; `claim`: a PVC mounted at /persistent. None leaves the API's
    default (restartPolicy Always, a 30 s grace period)."""
    container: dict[str, Any] = {"name": "main", "image": image, "command": command}
    spec: dict[str, Any] = {"nodeSelector": {"type": "real"}, "tolerations": [REAL_NODE_TOLERATION]}
    if restart is not None:
        spec["restartPolicy"] = restart
    if grace_s is not None:
        spec["terminationGracePeriodSeconds"] = grace_s
    spec["containers"] = [container]
    if claim is not None:
        container["volumeMounts"] = [{"name": "persistent", "mountPath": "/persistent"}]
        spec["volumes"] = [{"name": "persistent", "persistentVolumeClaim": {"claimName": claim}}]
    metadata: dict[str, Any] = {"name": name} | ({"labels": labels} if labels else {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def claim_of(name: str, storage_class: str) -> dict[str, Any]:
    """A 1 GiB ReadWriteOnce claim (on the real node: its storage class, from K8SX_REAL_STORAGE_CLASS)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": {
            "storageClassName": storage_class,
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }


def start_real_node_pod(
    stack: StackEnv,
    namespace: str,
    image: str,
    name: str,
    command: list[str],
    phase: str,
    restart: str = "Never",
    timeout: float = 120.0,
) -> None:
    """A pod on the real node running `command`; returns once it is in `phase`."""
    apply(stack, namespace, manifest(real_node_pod(name, image, command, restart)))
    wait_pod_phase(stack, namespace, name, phase, timeout)


# ---------------------------------------------------------------- a claim of the claims view's tests

RESULTS_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: results}}
spec:
  storageClassName: {storage_class}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
"""


@pytest.fixture
def own_volume(stack: StackEnv, namespace: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A volume of the test's own, bound in advance to `namespace`/results (the stack's shared volumes stay free);
    returns (volume name, storage class)."""
    name, storage_class = f"k8sx-claims-{namespace}", f"claims-{namespace}"
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "persistentVolumeReclaimPolicy": "Retain",
            "hostPath": {"path": str(tmp_path / "volume")},
            "claimRef": {"namespace": namespace, "name": "results"},
        },
    }
    kubectl(stack, "apply", "-f", "-", input=json.dumps(volume))
    yield name, storage_class
    kubectl(stack, "delete", "pv", name, "--wait=false", check=False)


# ---------------------------------------------------------------- the fan-out's pod, and a quota on pods


def prep_pod(mount: Path | None = None, restart: str = "Never", node_type: str = "kwok") -> str:
    """The pod to fan out; with `mount` it mounts claim `shared` there (an absolute folder of this machine: kwok
    runs the helper pod's tar here, so the claim's files are that folder's)."""
    volumes = ""
    mounts = ""
    if mount is not None:
        mounts = f"    volumeMounts: [{{name: data, mountPath: {mount}}}]\n"
        volumes = "  volumes: [{name: data, persistentVolumeClaim: {claimName: shared}}]\n"
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: prep, labels: {{team: vision}}}}
spec:
  restartPolicy: {restart}
  nodeSelector: {{type: {node_type}}}
  containers:
  - name: main
    image: 127.0.0.1:5000/team/prep:0.1
    args: [--shard, "{{index}}", --of, "3"]
    env: [{{name: OUT, value: "/persistent/out/shard-{{index}}"}}]
{mounts}{volumes}"""


def pod_quota(stack: StackEnv, namespace: str, name: str, pods: int) -> None:
    """A ResourceQuota on the number of pods (finished ones count too), once the quota controller enforces it."""
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}}
    manifest = json.dumps({**quota, "spec": {"hard": {"count/pods": str(pods)}}})
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest)
    wait_for(
        lambda: "count/pods" in kubectl(stack, "get", "quota", name, "-n", namespace, "-o", "jsonpath={.status.hard}"),
        what=f"quota {name} in force",
    )
