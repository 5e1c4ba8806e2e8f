"""Transfer benchmark, cut scenario: the large file that breaks `kubectl cp` (kubernetes#60140, kubectl#1425).

A TCP relay in front of the real API server (tests/support.py TcpProxy; TLS passes through, and the apiserver's
certificate names 127.0.0.1, so it still verifies) resets every connection once `CUT_SHARE` of the file passed
through it, as a flaky load balancer or an idle timeout does. Through it, a kwok pod's file (its exec runs on this
machine, so the bytes really move) is pulled and copied in with `kubectl cp` (plain, and pulled with `--retries`;
over websockets, kubectl's default, and over SPDY) and with the app's transfer (after each TransferFailed: again
with resume=True, at most ATTEMPTS times). Every result is compared by sha256 with the source: `ok` (identical),
`short` (exit 0, fewer bytes), `corrupt` (exit 0, other bytes), `failed` (an error and no whole file), `hung` (no
end within TIMEOUT_S).

Figures (added to `RESULT transfer` by bench/transfer.py, or alone: python bench/transfer_cut.py [--quick]):
cut_mb, cut_after_mb; cut_kubectl_cp, cut_kubectl_cp_retries, cut_kubectl_cp_push and the same with _spdy;
cut_kubectl_cp_left_mb (what a failed `kubectl cp` leaves under the real name); cut_ours, cut_ours_attempts,
cut_ours_s, cut_ours_push, cut_ours_push_attempts, cut_ours_push_s. Details (kubectl's message, bytes that
arrived, every failure ours reported) go to bench/results/transfer.json under "scenario": "cut".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transfer import POD, kubectl  # bench/transfer.py, the speed half (this folder is sys.path[0])

from tests.support import TcpProxy, resume_until_done
from tui.services.kube import KubeService
from tui.services.transfer import PodFileTransfer
from tui.services.upload import PodUpload

RESULTS = Path(__file__).resolve().parent / "results"
CUT_SHARE = 0.4  # of the file, per connection: a pull needs at least three connections to finish
ATTEMPTS = 10
TIMEOUT_S = 600.0
# kubectl's exec transports: websockets (its default since 1.30) and SPDY (before, and behind some proxies)
TRANSPORTS = {"": {}, "_spdy": {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}}


def write_random(path: Path, size: int) -> str:
    """A file of `size` random bytes (written in pieces, not held in memory); returns its sha256."""
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        left = size
        while left:
            piece = os.urandom(min(left, 8 << 20))
            digest.update(piece)
            out.write(piece)
            left -= len(piece)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while piece := source.read(8 << 20):
            digest.update(piece)
    return digest.hexdigest()


def verdict(path: Path, size: int, digest: str, succeeded: bool) -> tuple[str, int]:
    """What arrived at `path`, compared with the source (its size and sha256), and how many bytes it holds."""
    have = path.stat().st_size if path.is_file() else 0
    if path.is_file() and have == size and sha256_of(path) == digest:
        return "ok", have
    if not succeeded:
        return "failed", have
    return ("short" if have < size else "corrupt"), have


def relayed_kubeconfig(kubeconfig: str, folder: Path, server: str) -> str:
    """The same kubeconfig (certificates and all) with its server pointed at the relay."""
    config = yaml.safe_load(Path(kubeconfig).read_text())
    for cluster in config["clusters"]:
        cluster["cluster"]["server"] = server
    path = folder / f"kubeconfig-{uuid.uuid4().hex[:6]}"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def with_deadline(action: Callable[[], Any]) -> tuple[str, Any]:
    """Run action in a thread: ("done", its result), ("raised", the exception) or ("hung", None) when it has not
    returned within TIMEOUT_S (it is left behind, a daemon thread)."""
    box: list[tuple[str, Any]] = []

    def run() -> None:
        try:
            box.append(("done", action()))
        except Exception as exc:  # reported, not raised: the other measurements still run
            box.append(("raised", exc))

    worker = threading.Thread(target=run, name="cut-bench", daemon=True)
    worker.start()
    worker.join(TIMEOUT_S)
    return box[0] if box else ("hung", None)


class Scenario:
    def __init__(self, kubeconfig: str, namespace: str, scratch: Path, size: int, digest: str, source: Path):
        self.kubeconfig, self.namespace, self.scratch = kubeconfig, namespace, scratch
        self.size, self.digest, self.source = size, digest, source
        self.server = KubeService(kubeconfig).api_client().configuration.host
        self.cut_after = int(size * CUT_SHARE)

    def relay(self) -> tuple[TcpProxy, str]:
        proxy = TcpProxy(self.server, cut_after=self.cut_after)
        return proxy, relayed_kubeconfig(self.kubeconfig, self.scratch, proxy.server)

    def kubectl_cp(self, source: str, target: str, result: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
        proxy, config = self.relay()
        started = time.perf_counter()
        try:
            done = subprocess.run(
                ["kubectl", "--kubeconfig", config, "cp", *extra, source, target],
                capture_output=True, text=True, timeout=TIMEOUT_S, env=os.environ | env,
            )  # fmt: skip
            rc, said = done.returncode, (done.stderr.strip() or done.stdout.strip())[-300:]
        except subprocess.TimeoutExpired:
            rc, said = None, f"no end within {TIMEOUT_S:.0f} s"
        finally:
            proxy.close()
        seconds = time.perf_counter() - started
        outcome, have = verdict(result, self.size, self.digest, rc == 0)
        return {
            "outcome": "hung" if rc is None else outcome, "rc": rc, "said": said, "bytes": have,
            "s": round(seconds, 2), "relay_cuts": proxy.cuts,
        }  # fmt: skip

    def ours(self, attempt: Callable[[KubeService, bool], object], result: Path) -> dict[str, Any]:
        proxy, config = self.relay()
        kube = KubeService(config)
        started = time.perf_counter()
        try:
            how, value = with_deadline(lambda: resume_until_done(lambda resume: attempt(kube, resume), ATTEMPTS))
        finally:
            proxy.close()
        summary, failures = value if how == "done" else (None, [f"{how}: {value!r}"])
        seconds = time.perf_counter() - started
        outcome, have = verdict(result, self.size, self.digest, summary is not None)
        return {
            "outcome": "hung" if how == "hung" else outcome, "attempts": len(failures) + (summary is not None),
            "failures": failures, "bytes": have, "s": round(seconds, 2), "relay_cuts": proxy.cuts,
        }  # fmt: skip


def cut_scenario(kubeconfig: str, quick: bool) -> dict[str, Any]:
    """Run the cut scenario in its own namespace and kwok pod; returns the figures and their details."""
    mb = 50 if quick else 200
    size = mb * 1_000_000
    namespace = f"bench-cut-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-cut-") as folder:
        scratch = Path(folder)
        root, local = scratch / "pod", scratch / "local"
        source = root / "src" / "model.bin"
        digest = write_random(source, size)
        local_source = local / "src" / "model.bin"
        local_source.parent.mkdir(parents=True)
        os.link(source, local_source)
        (root / "in-ours").mkdir()
        scenario = Scenario(kubeconfig, namespace, scratch, size, digest, source)
        kubectl(kubeconfig, "create", "namespace", namespace)
        try:
            kubectl(kubeconfig, "apply", "-n", namespace, "-f", "-", stdin=POD.format(root=root))
            kubectl(kubeconfig, "wait", "-n", namespace, "--for=condition=Ready", "pod/bench", "--timeout=60s")
            remote = f"{namespace}/bench:{source}"
            details: dict[str, dict[str, Any]] = {}
            for tag, env in TRANSPORTS.items():
                pulled, pushed = local / f"kubectl{tag}.bin", root / f"in-kubectl{tag}" / "model.bin"
                retried = local / f"kubectl{tag}-retries.bin"
                details[f"kubectl_cp{tag}"] = scenario.kubectl_cp(remote, str(pulled), pulled, env)
                details[f"kubectl_cp{tag}_retries"] = scenario.kubectl_cp(
                    remote, str(retried), retried, env, f"--retries={ATTEMPTS}"
                )
                pushed.parent.mkdir()
                details[f"kubectl_cp{tag}_push"] = scenario.kubectl_cp(
                    str(local_source), f"{namespace}/bench:{pushed}", pushed, env
                )
            details |= {
                "ours": scenario.ours(
                    lambda kube, resume: PodFileTransfer(kube).pull(
                        namespace, "bench", str(source), local / "ours.bin", resume=resume
                    ),
                    local / "ours.bin",
                ),
                "ours_push": scenario.ours(
                    lambda kube, resume: PodUpload(kube).push(
                        local_source, namespace, "bench", str(root / "in-ours"), resume=resume
                    ),
                    root / "in-ours" / "model.bin",
                ),
            }
        finally:
            kubectl(kubeconfig, "delete", "namespace", namespace, "--wait=false")
    figures: dict[str, Any] = {"cut_mb": mb, "cut_after_mb": round(scenario.cut_after / 1e6, 1)}
    for tag in TRANSPORTS:
        for name in (f"kubectl_cp{tag}", f"kubectl_cp{tag}_retries", f"kubectl_cp{tag}_push"):
            figures[f"cut_{name}"] = details[name]["outcome"]
    # kubectl writes under the real name as bytes arrive: what a cut leaves there looks like a result
    figures["cut_kubectl_cp_left_mb"] = round(details["kubectl_cp"]["bytes"] / 1e6, 1)
    for name in ("ours", "ours_push"):
        figures[f"cut_{name}"] = details[name]["outcome"]
        figures[f"cut_{name}_attempts"] = details[name]["attempts"]
        figures[f"cut_{name}_s"] = details[name]["s"]
    return {"scenario": "cut", **figures, "details": details}


def record(result: dict[str, Any]) -> None:
    """Put the cut scenario into bench/results/transfer.json beside the speed figures (replacing an older one)."""
    path = RESULTS / "transfer.json"
    RESULTS.mkdir(exist_ok=True)
    try:
        kept = [r for r in json.loads(path.read_text()) if r.get("scenario") != "cut"]
    except (OSError, ValueError, AttributeError, TypeError):
        kept = []
    path.write_text(json.dumps([*kept, result], indent=2))


def figures(result: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in result.items() if key not in ("scenario", "details"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 MB instead of 200 MB")
    args = parser.parse_args()
    result = cut_scenario(os.environ["KUBECONFIG"], args.quick)
    print("  " + json.dumps(result["details"]), file=sys.stderr)
    record(result)
    print(f"RESULT transfer_cut {figures(result)}")


if __name__ == "__main__":
    main()
