"""Transfer benchmark, cut scenario: the large file that breaks `kubectl cp` (kubernetes#60140, kubectl#1425).

A TCP relay in front of the real API server (tests/support/net.py TcpProxy; TLS passes through, and the apiserver's
certificate names 127.0.0.1, so it still verifies) resets every connection once `CUT_SHARE` of the file passed
through it, as a flaky load balancer or an idle timeout does. Through it, a kwok pod's file (its exec runs on this
machine, so the bytes really move) is pulled and copied in with `kubectl cp` (plain, and pulled with `--retries`;
over websockets, kubectl's default, and over SPDY) and with the app's transfer (after each TransferFailed: again
with resume=True, at most ATTEMPTS times). Every result is compared by sha256 with the source: `ok` (identical),
`short` (exit 0, fewer bytes), `corrupt` (exit 0, other bytes), `failed` (an error and no whole file), `hung` (no
end within TIMEOUT_S).

Figures (added to `RESULT transfer` by bench/transfer.py, or alone: python bench/transfer_cut.py [--quick | --smoke]),
over cut_runs runs (3, or 1 with --quick or --smoke; an outcome lists every one seen, attempts are the most, seconds
the median):
cut_mb, cut_after_mb; cut_kubectl_cp, cut_kubectl_cp_retries, cut_kubectl_cp_push and the same with _spdy;
cut_kubectl_cp_left_mb (what a failed `kubectl cp` leaves under the real name); cut_ours, cut_ours_attempts,
cut_ours_s, cut_ours_push, cut_ours_push_attempts, cut_ours_push_s; cut_ratio_vs_kubectl_cp_spdy_retries (time,
ours/theirs, when that kubectl pull ended whole in every run). Details (kubectl's message, bytes that
arrived, every failure ours reported) go to bench/results/transfer.json under "scenario": "cut" (with --smoke:
transfer.smoke.json). --smoke: an 8 MB file, one run, every tool as in the full run: the same code path in seconds
(CI runs it; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
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

from transfer import kubectl  # bench/transfer.py, the speed half (this folder is sys.path[0])

from tests.support.files import resume_until_done
from tests.support.net import TcpProxy
from tests.support.pods import kwok_pod
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import PodCopyIn
from tui.services.transfer.pull import PodFileTransfer

RESULTS = Path(__file__).resolve().parent / "results"
CUT_SHARE = 0.4  # of the file, per connection: a pull needs at least three connections to finish
ATTEMPTS = 10
TIMEOUT_S = 600.0
# kubectl's exec transports: websockets (its default since 1.30) and SPDY (before, and behind some proxies)
TRANSPORTS = {"": {}, "_spdy": {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}}
SIZES = {"full": (200, 3), "quick": (50, 1), "smoke": (8, 1)}  # size: (MB, runs); resume keeps only files over 1 MiB


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
        self.local_source = scratch / "local" / "src" / source.name  # a hard link: the same bytes, pushed in
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


def run_once(scenario: Scenario, run: int) -> dict[str, dict[str, Any]]:
    """Every tool once through a fresh relay, into destinations of this run."""
    namespace, source, local_source = scenario.namespace, scenario.source, scenario.local_source
    local, pod_in = scenario.scratch / "local" / f"run-{run}", scenario.source.parent.parent / f"in-{run}"
    remote = f"{namespace}/bench:{source}"
    details: dict[str, dict[str, Any]] = {}
    for tag, env in TRANSPORTS.items():
        pulled, retried = local / f"kubectl{tag}.bin", local / f"kubectl{tag}-retries.bin"
        pushed = pod_in / f"kubectl{tag}"
        pushed.mkdir(parents=True)
        local.mkdir(parents=True, exist_ok=True)
        details[f"kubectl_cp{tag}"] = scenario.kubectl_cp(remote, str(pulled), pulled, env)
        details[f"kubectl_cp{tag}_retries"] = scenario.kubectl_cp(
            remote, str(retried), retried, env, f"--retries={ATTEMPTS}"
        )
        details[f"kubectl_cp{tag}_push"] = scenario.kubectl_cp(
            str(local_source), f"{namespace}/bench:{pushed / 'model.bin'}", pushed / "model.bin", env
        )
    ours = local / "ours.bin"
    details["ours"] = scenario.ours(
        lambda kube, resume: PodFileTransfer(kube).pull(namespace, "bench", str(source), ours, resume=resume), ours
    )
    into = pod_in / "ours"
    into.mkdir()
    details["ours_push"] = scenario.ours(
        lambda kube, resume: PodCopyIn(kube).copy_in(local_source, namespace, "bench", str(into), resume=resume),
        into / "model.bin",
    )
    return details


def cut_scenario(kubeconfig: str, size_name: str) -> dict[str, Any]:
    """Run the cut scenario at one of SIZES ("full": three times, "quick" and "smoke": once) in its own namespace
    and kwok pod; returns the figures (outcomes of every run, the most attempts, median seconds) and each run's
    details."""
    mb, runs = SIZES[size_name]
    size = mb * 1_000_000
    namespace = f"bench-cut-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-cut-") as folder:
        scratch = Path(folder)
        root = scratch / "pod"
        source = root / "src" / "model.bin"
        scenario = Scenario(kubeconfig, namespace, scratch, size, write_random(source, size), source)
        scenario.local_source.parent.mkdir(parents=True)
        os.link(source, scenario.local_source)
        kubectl(kubeconfig, "create", "namespace", namespace)
        try:
            kubectl(kubeconfig, "apply", "-n", namespace, "-f", "-", stdin=kwok_pod("bench", workdir=root))
            kubectl(kubeconfig, "wait", "-n", namespace, "--for=condition=Ready", "pod/bench", "--timeout=60s")
            details = [run_once(scenario, run) for run in range(runs)]
        finally:
            kubectl(kubeconfig, "delete", "namespace", namespace, "--wait=false")
    figures: dict[str, Any] = {"cut_mb": mb, "cut_after_mb": round(scenario.cut_after / 1e6, 1), "cut_runs": runs}
    for name in details[0]:
        # every run's outcome, once each in the order seen: "failed", or "ok+failed" when runs disagree
        figures[f"cut_{name}"] = "+".join(dict.fromkeys(run[name]["outcome"] for run in details))
        if name.startswith("ours"):
            figures[f"cut_{name}_attempts"] = max(run[name]["attempts"] for run in details)
            figures[f"cut_{name}_s"] = round(statistics.median(run[name]["s"] for run in details), 2)
    # where kubectl gets there too (its --retries over SPDY), the time ratio ours/theirs, as the speed half reports
    theirs = [run["kubectl_cp_spdy_retries"] for run in details]
    if all(run["outcome"] == "ok" for run in theirs):
        median = statistics.median(run["s"] for run in theirs)
        figures["cut_ratio_vs_kubectl_cp_spdy_retries"] = round(figures["cut_ours_s"] / median, 2)
    # kubectl writes under the real name as bytes arrive: what a cut leaves there looks like a result
    figures["cut_kubectl_cp_left_mb"] = round(min(run["kubectl_cp"]["bytes"] for run in details) / 1e6, 1)
    return {"scenario": "cut", **figures, "details": details}


def record(result: dict[str, Any], smoke: bool = False) -> None:
    """Put the cut scenario into bench/results/transfer.json (transfer.smoke.json for a smoke run) beside the speed
    figures (replacing an older one)."""
    path = RESULTS / ("transfer.smoke.json" if smoke else "transfer.json")
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
    parser.add_argument("--quick", action="store_true", help="50 MB instead of 200 MB, one run")
    parser.add_argument("--smoke", action="store_true", help="8 MB, one run: seconds, for CI")
    args = parser.parse_args()
    size_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    result = cut_scenario(os.environ["KUBECONFIG"], size_name)
    print("  " + json.dumps(result["details"]), file=sys.stderr)
    record(result, args.smoke)
    print(f"RESULT transfer_cut {figures(result)}")


if __name__ == "__main__":
    main()
