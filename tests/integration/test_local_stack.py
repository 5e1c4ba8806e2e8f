"""The local stack itself: what the product's features rely on works through the real API server.

kwok's exec runs commands on this machine: every pod here gets an Exec object whose workDir is a temporary folder,
and only harmless commands are run.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import docker

from tests.support.images import busybox_context
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.stack import STACK, StackEnv, apply, kubectl, wait_for


def cri_line(text: str) -> str:
    return f"2026-11-29T10:00:00.000000000Z stdout F {text}\n"


def running_pod(stack: StackEnv, namespace: str, tmp_path: Path, name: str = "exp") -> tuple[Path, Path]:
    workdir = tmp_path / "pod-root"
    workdir.mkdir()
    logfile = tmp_path / "pod.log"
    logfile.write_text(cri_line("epoch 1 loss 0.9") + cri_line("epoch 2 loss 0.5"))
    apply(stack, namespace, kwok_pod(name, workdir=workdir, logs=[{"logsFile": str(logfile), "follow": True}]))
    wait_pod_phase(stack, namespace, name)
    return workdir, logfile


def test_two_kwok_nodes_are_ready(stack: StackEnv) -> None:
    out = kubectl(
        stack,
        "get",
        "nodes",
        "-l",
        "type=kwok",
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}',
    )
    assert sorted(out.split()) == ["kwok-node-0=True", "kwok-node-1=True"]


def test_exec_runs_through_the_api_server(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    workdir, _ = running_pod(stack, namespace, tmp_path)
    out = kubectl(stack, "exec", "-n", namespace, "exp", "--", "sh", "-c", "echo hello > made-by-exec; pwd")
    assert out.strip() == str(workdir)
    assert (workdir / "made-by-exec").read_text() == "hello\n"


def test_a_tty_exec_without_stdin_leaves_kwok_running(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    # kwok v0.8.0 crashed on this (a nil stdin under a TTY); the stack builds it patched.
    running_pod(stack, namespace, tmp_path)
    assert kubectl(stack, "exec", "-t", "-n", namespace, "exp", "--", "echo", "tty").strip() == "tty"
    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True)
    assert "kwok                     up" in status.stdout


def test_an_exec_that_hangs_up_its_process_group_leaves_kwok_running(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    # kwok v0.8.0 ran exec'd commands in its own process group: `kill -HUP 0` there killed kwok.
    running_pod(stack, namespace, tmp_path)
    kubectl(stack, "exec", "-n", namespace, "exp", "--", "sh", "-c", "kill -HUP 0", check=False)
    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True)
    assert "kwok                     up" in status.stdout
    assert kubectl(stack, "exec", "-n", namespace, "exp", "--", "echo", "still here").strip() == "still here"


def test_logs_and_follow(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    _, logfile = running_pod(stack, namespace, tmp_path)
    assert kubectl(stack, "logs", "-n", namespace, "exp").splitlines() == ["epoch 1 loss 0.9", "epoch 2 loss 0.5"]
    follower = subprocess.Popen(
        ["kubectl", "--kubeconfig", stack.kubeconfig, "logs", "-f", "-n", namespace, "exp"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline().strip() == "epoch 1 loss 0.9"
        assert follower.stdout.readline().strip() == "epoch 2 loss 0.5"
        time.sleep(0.5)
        with logfile.open("a") as log:
            log.write(cri_line("epoch 3 loss 0.2"))
        assert follower.stdout.readline().strip() == "epoch 3 loss 0.2"
    finally:
        follower.kill()
        follower.wait()


def test_copy_in_and_out_with_kubectl_cp(stack: StackEnv, namespace: str, tmp_path: Path) -> None:
    workdir, _ = running_pod(stack, namespace, tmp_path)
    dataset = tmp_path / "dataset.csv"
    dataset.write_bytes(b"x,y\n" + b"1,2\n" * 50_000)
    kubectl(stack, "cp", str(dataset), f"{namespace}/exp:{workdir}/dataset.csv")
    assert (workdir / "dataset.csv").read_bytes() == dataset.read_bytes()

    (workdir / "out").mkdir()
    (workdir / "out" / "metrics.json").write_text('{"acc": 0.93}')
    results = tmp_path / "results"
    kubectl(stack, "cp", f"{namespace}/exp:{workdir}/out", str(results))
    assert (results / "metrics.json").read_text() == '{"acc": 0.93}'


def test_a_claim_binds_to_a_volume_of_the_default_storage_class(stack: StackEnv, namespace: str) -> None:
    claim = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: persistent}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=claim)
    wait_for(
        lambda: (
            kubectl(stack, "get", "pvc", "persistent", "-n", namespace, "-o", "jsonpath={.status.phase}") == "Bound"
        ),
        what="the claim Bound",
    )
    storage_class = kubectl(
        stack, "get", "pvc", "persistent", "-n", namespace, "-o", "jsonpath={.spec.storageClassName}"
    )
    assert storage_class == "standard"


def test_engine_builds_from_scratch_and_registries_take_pushes(stack: StackEnv) -> None:
    client = docker.DockerClient(base_url=stack.docker_host, timeout=60)
    try:
        repository = f"{stack.registry}/stack-check/busybox"
        image, _ = client.images.build(fileobj=busybox_context(), custom_context=True, tag=f"{repository}:1", rm=True)
        assert client.containers.run(image.id, ["echo", "ran"], remove=True) == b"ran\n"

        pushed = list(client.images.push(repository, tag="1", stream=True, decode=True))
        assert not [event for event in pushed if "error" in event], pushed
        assert any("Digest" in event.get("aux", {}) for event in pushed), pushed

        protected = f"{stack.auth_registry}/stack-check/busybox"
        client.images.get(image.id).tag(protected, "1")
        refused = list(client.images.push(protected, tag="1", stream=True, decode=True))
        assert any("no basic auth credentials" in str(event.get("error", "")) for event in refused), refused
        auth = {"username": stack.auth_registry_user, "password": stack.auth_registry_password}
        accepted = list(client.images.push(protected, tag="1", stream=True, decode=True, auth_config=auth))
        assert not [event for event in accepted if "error" in event], accepted
    finally:
        client.close()
