"""`tools/stack` names the part that fails and shows why, instead of hanging or claiming success."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.stack import STACK, StackEnv


def run_stack(verb: str, run_dir: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, K8SX_STACK_DIR=str(run_dir), **overrides)
    return subprocess.run([str(STACK), verb], capture_output=True, text=True, env=env, timeout=120)


def test_up_refuses_a_port_another_stack_holds(stack: StackEnv, tmp_path: Path) -> None:
    # A second stack in its own folder: the running stack holds 127.0.0.1:5000, so its registry cannot start.
    run_dir = tmp_path / "second-stack"
    try:
        up = run_stack("up", run_dir)
        assert up.returncode != 0
        assert "registry cannot start: something else already answers at its address" in up.stderr
        status = run_stack("status", run_dir)
        assert status.returncode != 0
        assert "registry                 DOWN: not this stack's: another process answers" in status.stdout
        assert "kube-apiserver           DOWN: " in status.stdout
    finally:
        run_stack("down", run_dir)


def test_up_prints_the_log_tail_of_a_part_that_dies(stack: StackEnv, tmp_path: Path) -> None:
    # A registry told to listen on an address that cannot exist dies at once; up must show its own words.
    run_dir = tmp_path / "broken-registry"
    try:
        up = run_stack("up", run_dir, K8SX_REGISTRY_ADDR="256.0.0.1:5999")
        assert up.returncode != 0
        assert "registry failed to start: not running" in up.stderr
        assert f"last lines of {run_dir}/logs/registry.log" in up.stderr
        assert "256.0.0.1" in up.stderr.split("last lines of", 1)[1]  # the registry's own error, quoted
    finally:
        run_stack("down", run_dir)


def test_status_of_the_running_stack_is_all_up(stack: StackEnv) -> None:
    status = subprocess.run([str(STACK), "status"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stdout
    parts = [line.split()[0] for line in status.stdout.splitlines()]
    assert parts == [
        "registry",
        "auth-registry",
        "dockerd",
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
        "containerd",
        "kubelet",
        "volume-recycler",
        "metrics-server",
    ]
    assert all(line.split()[1] == "up" for line in status.stdout.splitlines())
