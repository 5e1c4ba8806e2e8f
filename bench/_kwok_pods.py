"""Namespaces of N pods on the kwok nodes, and `kubectl get pods` timed on them: shared by the benches that list pods
(pods.py, startup.py). The leading underscore keeps it out of the smoke test's list of benches."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

KWOK_NODES = ["kwok-node-0", "kwok-node-1"]


def pod_name(index: int) -> str:
    return f"bench-{index:06d}"


def create_pods(core: k8s.CoreV1Api, namespace: str, count: int) -> None:
    def make(index: int) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": pod_name(index), "labels": {"app": "bench", "shard": str(index % 10)}},
            "spec": {
                "nodeName": KWOK_NODES[index % len(KWOK_NODES)],
                "containers": [{"name": "main", "image": f"127.0.0.1:5000/bench/worker:{index % 7}"}],
            },
        }
        core.create_namespaced_pod(namespace, body, _request_timeout=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(make, range(count)))


def wait_until_running(core: k8s.CoreV1Api, namespace: str) -> None:
    """Measure a settled cluster: kwok has marked every pod Running, so no status storm runs meanwhile."""
    while core.list_namespaced_pod(namespace, field_selector="status.phase!=Running", limit=1).items:
        time.sleep(1)


@contextmanager
def pods_namespace(core: k8s.CoreV1Api, prefix: str, count: int) -> Iterator[str]:
    """A fresh namespace with `count` Running pods (bench-000000, ...), force-deleted on the way out."""
    namespace = f"{prefix}-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": namespace}})
    try:
        started = time.perf_counter()
        create_pods(core, namespace, count)
        print(f"  created {count} pods in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        wait_until_running(core, namespace)
        print(f"  all Running after {time.perf_counter() - started:.1f}s", file=sys.stderr)
        yield namespace
    finally:
        delete_pods(core, namespace)
        core.delete_namespace(namespace, _request_timeout=60)
        wait_gone(core, namespace)


def delete_pods(core: k8s.CoreV1Api, namespace: str) -> None:
    """Force-deleted pods leave at once; a plain namespace delete would keep kwok busy for minutes. A collection
    delete of 100,000 pods outlasts the API server's 60 s (504) and stops there: asked again until none is left."""
    while True:
        try:
            core.delete_collection_namespaced_pod(namespace, grace_period_seconds=0, _request_timeout=120)
        except ApiException as exc:
            if exc.status != 504:
                raise
        if not core.list_namespaced_pod(namespace, limit=1, _request_timeout=60).items:
            return


def wait_gone(core: k8s.CoreV1Api, namespace: str, timeout: float = 600) -> None:
    """Until the namespace is gone, so the next bench (or test) meets an unloaded stack."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            core.read_namespace(namespace, _request_timeout=30)
        except ApiException as exc:
            if exc.status == 404:
                print(f"  namespace gone after {time.perf_counter() - started:.0f}s", file=sys.stderr)
                return
            raise
        time.sleep(2)
    print(f"  namespace {namespace} still there after {timeout:.0f}s", file=sys.stderr)


def kubectl_get_s(kubeconfig: str, namespace: str, count: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, "get", "pods", "-n", namespace, "--no-headers"],
        capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kubectl get pods failed ({done.returncode}): {done.stderr.strip()}")
    assert len(done.stdout.splitlines()) == count, "kubectl saw a different number of pods"
    return elapsed
