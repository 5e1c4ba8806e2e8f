"""`k8sx-tui doctor` against the real stack: all green when set up, and each broken step named with its fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.docker_config import basic, write_config
from tests.support.stack import StackEnv, kubectl


def doctor(
    stack: StackEnv, tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`k8sx-tui ARGS` with the stack's kubeconfig and engine; subprocess.TimeoutExpired after `timeout` s."""
    environment = dict(os.environ, KUBECONFIG=stack.kubeconfig, DOCKER_HOST=stack.docker_host)
    environment.setdefault("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=environment, timeout=timeout
    )


def reader_kubeconfig(stack: StackEnv, namespace: str, path: Path) -> Path:
    """A kubeconfig for a ServiceAccount that may get, list and watch pods in the namespace, and nothing more."""
    kubectl(stack, "create", "serviceaccount", "reader", "-n", namespace)
    kubectl(stack, "create", "role", "reader", "-n", namespace, "--verb=get,list,watch", "--resource=pods")
    binding = ["rolebinding", "reader", "-n", namespace, "--role=reader", f"--serviceaccount={namespace}:reader"]
    kubectl(stack, "create", *binding)
    token = kubectl(stack, "create", "token", "reader", "-n", namespace).strip()
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["users"] = [{"name": "reader", "user": {"token": token}}]
    config["contexts"][0]["context"].update(user="reader", namespace=namespace)
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_working_setup_is_all_green_and_exits_0(stack: StackEnv, tmp_path: Path) -> None:
    done = doctor(stack, tmp_path, "doctor", "--registry", stack.registry)
    assert done.returncode == 0, done.stdout
    assert "ok      docker     engine: Docker 20.10" in done.stdout
    assert f"ok      registry   login to {stack.registry}: GET /v2/ accepted" in done.stdout
    assert "ok      kubernetes API server: v1.36.3, context k8sx-local" in done.stdout
    assert "ok      kubernetes access in default: pods, exec, logs and volumes allowed" in done.stdout


def test_docker_down_and_a_dead_api_server_are_named_quickly(stack: StackEnv, tmp_path: Path) -> None:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(yaml.safe_dump(config))
    broken = ("--docker-host", f"unix://{tmp_path}/none.sock", "--kubeconfig", str(dead), "doctor")
    done = doctor(stack, tmp_path, *broken, timeout=30)  # each check has its timeout: seconds, not minutes
    assert done.returncode == 1
    assert "failed  docker     engine: cannot connect to the Docker engine" in done.stdout
    assert "fix: start Docker" in done.stdout
    assert "failed  kubernetes API server: cannot reach https://127.0.0.1:1: connection refused" in done.stdout
    assert "2 problems found" in done.stderr


def test_registry_password_wrong_then_right(stack: StackEnv, tmp_path: Path) -> None:
    config_dir = tmp_path / "docker-config"
    write_config(config_dir, {"auths": {stack.auth_registry: {"auth": basic(stack.auth_registry_user, "wrong")}}})
    done = doctor(stack, tmp_path, "doctor", "--registry", stack.auth_registry)
    assert done.returncode == 1
    assert f"failed  registry   login to {stack.auth_registry}: GET /v2/ answered 401" in done.stdout
    assert f"fix: docker login {stack.auth_registry}" in done.stdout
    right = basic(stack.auth_registry_user, stack.auth_registry_password)
    write_config(config_dir, {"auths": {stack.auth_registry: {"auth": right}}})
    done = doctor(stack, tmp_path, "doctor", "--registry", stack.auth_registry)
    assert f"ok      registry   login to {stack.auth_registry}: GET /v2/ accepted" in done.stdout
    assert (
        f"ok      registry   credentials for {stack.auth_registry}: from auths in {config_dir}/config.json"
        in done.stdout
    )


def test_a_missing_gcloud_helper_gives_the_configure_docker_line(stack: StackEnv, tmp_path: Path) -> None:
    host = "REGION-docker.pkg.dev"
    write_config(tmp_path / "docker-config", {"credHelpers": {host: "gcloud"}})
    done = doctor(stack, tmp_path, "doctor", "--registry", host, env={"PATH": "/usr/sbin:/sbin"})
    assert done.returncode == 1
    assert "docker-credential-gcloud not found on PATH" in done.stdout
    assert f"gcloud auth configure-docker {host}" in done.stdout


def test_missing_plugin_missing_kubeconfig_and_missing_verbs(stack: StackEnv, tmp_path: Path, namespace: str) -> None:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["users"] = [{"name": "gke", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                        "command": "gke-gcloud-auth-plugin-not-here"}}}]  # fmt: skip
    config["contexts"][0]["context"]["user"] = "gke"
    plugin = tmp_path / "plugin.kubeconfig"
    plugin.write_text(yaml.safe_dump(config))
    done = doctor(stack, tmp_path, "--kubeconfig", str(plugin), "doctor")
    assert "failed  kubernetes credential plugin: gke-gcloud-auth-plugin-not-here not on PATH" in done.stdout
    assert "fix: gcloud components install gke-gcloud-auth-plugin" in done.stdout

    done = doctor(stack, tmp_path, "--kubeconfig", str(tmp_path / "absent"), "doctor")
    assert "failed  kubernetes kubeconfig: none at" in done.stdout
    assert "fix: gcloud container clusters get-credentials CLUSTER" in done.stdout

    reader = reader_kubeconfig(stack, namespace, tmp_path / "reader.kubeconfig")
    done = doctor(stack, tmp_path, "--kubeconfig", str(reader), "doctor")
    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "access in" in line)
    assert line.startswith(f"failed  kubernetes access in {namespace}: not allowed: create pods (deploying)")
    assert "create pods/exec (shells and copies)" in line and "list pods" not in line
