"""Port-forward benchmark: the app's forward (tui/services/forward, the code behind `f` and the Forwards view)
against `kubectl port-forward` on the same pod in the same run: a busybox httpd on the real node, through the real
API server and kubelet into the pod's network namespace.

Figures: mb, ratio_vs_kubectl (time of the big download through ours / through kubectl's; <= 1.0: at least as
fast), req_p99_ms (sequential small requests, each a new connection, through ours; kubectl_req_p99_ms the same
through kubectl's), back_after_restart_s (the
experiment's pod deleted and a new one Running -> the first request through the same local port that succeeds).
Writes bench/results/forward.json; the last line is `RESULT forward ...`.
Run: python bench/forward.py [--quick | --smoke] (needs tools/stack up; uses $KUBECONFIG; takes the real node, so
run it under flock /tmp/real-node.lock when tests run beside it). --smoke: 2 MB and 20 requests, one run, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docker import DockerClient

from tests.support.forward import HTTP_PORT, get, httpd_pod, sha256_of_get
from tests.support.images import busybox_image
from tests.support.pods import manifest
from tui.models.forward.forward import ForwardSpec, State
from tui.services.forward.local_port import next_free
from tui.services.forward.manager import ForwardManager
from tui.services.kube.kube import KubeService

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"smoke": (2, 20, 1), "quick": (50, 200, 1), "full": (200, 1000, 3)}  # MB, small requests, runs


def kubectl(*args: str, stdin: str | None = None, check: bool = True) -> str:
    done = subprocess.run(["kubectl", *args], input=stdin, capture_output=True, text=True, timeout=180)
    if check and done.returncode != 0:
        raise SystemExit(f"bench/forward.py: kubectl {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def until(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"bench/forward.py: timed out waiting for {what}")
        time.sleep(0.05)


def start_pod(namespace: str, name: str, image: str, mb: int) -> None:
    kubectl("apply", "-n", namespace, "-f", "-", stdin=manifest(httpd_pod(name, image, big_mb=mb, experiment="bench")))
    kubectl("wait", "-n", namespace, "--for=condition=Ready", f"pod/{name}", "--timeout=120s")


def download_s(port: int, mb: int) -> float:
    started = time.perf_counter()
    _, size = sha256_of_get(port, timeout=600)
    if size != mb * 1024 * 1024:
        raise SystemExit(f"bench/forward.py: {size} bytes came instead of {mb} MB")
    return time.perf_counter() - started


def kubectl_forward(namespace: str, pod: str) -> tuple[subprocess.Popen[str], int]:
    port = next_free("127.0.0.1", 41000)
    assert port is not None
    process = subprocess.Popen(
        ["kubectl", "port-forward", "-n", namespace, f"pod/{pod}", f"{port}:{HTTP_PORT}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.readline()  # "Forwarding from 127.0.0.1:PORT -> 8080": listening
    return process, port


def small_requests(port: int, count: int) -> list[float]:
    """Milliseconds of each of `count` GETs of a tiny file, one after another, each on a new connection."""
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        if get(port) != (200, b"hello\n"):
            raise SystemExit("bench/forward.py: a small request failed")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def p99(latencies: list[float]) -> float:
    return round(sorted(latencies)[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1)


def measure(image: str, size: str) -> dict[str, float]:
    mb, requests, runs = SIZES[size]
    namespace = f"bench-forward-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", namespace)
    manager = ForwardManager(KubeService(os.environ["KUBECONFIG"], namespace=namespace))
    try:
        start_pod(namespace, "web-1", image, mb)
        forward = manager.start(ForwardSpec(namespace, "web-1", HTTP_PORT, 40000, experiment="bench"), exact_port=False)
        until(lambda: forward.status().state == State.ACTIVE, 60, "the forward")
        theirs_process, theirs_port = kubectl_forward(namespace, "web-1")
        ours, theirs = [], []
        try:
            for run in range(runs):  # alternate who goes first: the page cache and the node warm up for both
                steps = [(ours, forward.spec.local_port), (theirs, theirs_port)]
                for times, port in steps if run % 2 == 0 else steps[::-1]:
                    times.append(download_s(port, mb))
            latencies, their_latencies = (
                small_requests(forward.spec.local_port, requests),
                small_requests(theirs_port, requests),
            )
        finally:
            theirs_process.terminate()
            theirs_process.wait(10)
        kubectl("delete", "pod", "web-1", "-n", namespace, "--wait=true")
        pod = manifest(httpd_pod("web-2", image, experiment="bench"))
        kubectl("apply", "-n", namespace, "-f", "-", stdin=pod)
        phase = ("get", "pod", "web-2", "-n", namespace, "-o", "jsonpath={.status.phase}")
        until(lambda: kubectl(*phase) == "Running", 120, "the new pod Running")
        running = time.perf_counter()  # from the moment the API says Running, as a user would see it
        until(lambda: _answers(forward.spec.local_port), 120, "the forward back on the new pod")
        back = time.perf_counter() - running
    finally:
        manager.stop_all()
        kubectl("delete", "namespace", namespace, "--wait=false", check=False)
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    return {
        "mb": mb,
        "runs": runs,
        "ours_s": round(ours_s, 3),
        "kubectl_s": round(theirs_s, 3),
        "ratio_vs_kubectl": round(ours_s / theirs_s, 2),
        "requests": requests,
        "req_p50_ms": round(statistics.median(latencies), 1),
        "req_p99_ms": p99(latencies),
        "kubectl_req_p50_ms": round(statistics.median(their_latencies), 1),
        "kubectl_req_p99_ms": p99(their_latencies),
        "back_after_restart_s": round(back, 2),
    }


def _answers(port: int) -> bool:
    try:
        return get(port, timeout=5) == (200, b"hello\n")
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 MB, 200 requests, one run")
    parser.add_argument("--smoke", action="store_true", help="2 MB, 20 requests, one run: seconds, for CI")
    args = parser.parse_args()
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    registry = os.environ.get("K8SX_REGISTRY", "127.0.0.1:5000")
    image = f"{registry}/k8sx-bench/forward-busybox:1"
    client = DockerClient(base_url=os.environ["DOCKER_HOST"], timeout=120)
    try:
        busybox_image(client, image)
        for message in client.api.push(image, stream=True, decode=True):
            if "error" in message:
                raise SystemExit(f"bench/forward.py: push failed: {message['error']}")
    finally:
        client.close()
    result = measure(image, size)
    print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("forward.smoke.json" if args.smoke else "forward.json")).write_text(json.dumps(result, indent=2))
    keys = ("mb", "ratio_vs_kubectl", "req_p99_ms", "kubectl_req_p99_ms", "back_after_restart_s")
    print("RESULT forward " + " ".join(f"{key}={result[key]}" for key in keys))


if __name__ == "__main__":
    main()
