"""Transfer benchmark: the app's pull (tar over exec, sha256-verified) and copy-in against `kubectl cp`, on the same
data in the same run, through the real API server to a kwok pod (whose exec runs locally, so bytes really move).

Data sets: one large file and many small files. Figures: mb, files, pull_mb_per_s, push_mb_per_s and the
ratios ours/kubectl for time (<= 1.0 means at least as fast). Writes bench/results/transfer.json; the last line
is `RESULT transfer ...`. Run: python bench/transfer.py [--quick] (needs tools/stack up; uses $KUBECONFIG).

On an ext4 without a journal (this VM's) creating a file skips every inode freed in the last minutes, so many small
files copied right after many were deleted (by tests, or an earlier run) are slow for both tools: run it on a
quiet machine, and compare the two tools' figures of the same run rather than runs with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import kwok_pod
from tui.services.kube import KubeService
from tui.services.transfer import PodFileTransfer
from tui.services.upload import PodUpload

RESULTS = Path(__file__).resolve().parent / "results"


def kubectl(kubeconfig: str, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, *args], input=stdin, capture_output=True, text=True, check=True
    ).stdout


def make_data(folder: Path, total_mb: int, files: int) -> None:
    folder.mkdir(parents=True)
    if files == 1:
        (folder / "model.bin").write_bytes(os.urandom(total_mb * 1_000_000))
        return
    size = total_mb * 1_000_000 // files
    for index in range(files):
        sub = folder / f"part-{index // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{index:05d}.bin").write_bytes(os.urandom(size))


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def measure(
    kubeconfig: str, namespace: str, root: Path, local: Path, name: str, mb: int, files: int, runs: int
) -> dict[str, float]:
    kube = KubeService(kubeconfig)
    puller, uploader = PodFileTransfer(kube), PodUpload(kube)
    remote_src = root / "src" / name
    make_data(remote_src, mb, files)
    local_src = local / "src" / name
    shutil.copytree(remote_src, local_src)
    ours_pull: list[float] = []
    theirs_pull: list[float] = []
    ours_push: list[float] = []
    theirs_push: list[float] = []

    def pull_ours(run: int) -> None:
        ours_pull.append(timed(lambda: puller.pull(namespace, "bench", str(remote_src), local / f"ours-{run}" / name)))

    def pull_theirs(run: int) -> None:
        target = f"{namespace}/bench:{remote_src}"
        theirs_pull.append(timed(lambda: kubectl(kubeconfig, "cp", target, str(local / f"kubectl-{run}"))))

    def push_ours(run: int) -> None:
        ours_push.append(timed(lambda: uploader.push(local_src, namespace, "bench", str(root / f"in-ours-{run}"))))

    def push_theirs(run: int) -> None:
        target = f"{namespace}/bench:{root / f'in-kubectl-{run}'}"
        theirs_push.append(timed(lambda: kubectl(kubeconfig, "cp", str(local_src), target)))

    # Fair to both on this file system: nothing is deleted until the end (ext4 without a journal skips every
    # inode freed in the last minutes when it creates a file, so whoever copies right after a deletion of 10,000
    # files pays for it), and each run swaps who goes first.
    for run in range(runs):
        order = [(pull_ours, pull_theirs), (push_ours, push_theirs)]
        for pair in order:
            for step in pair if run % 2 == 0 else reversed(pair):
                step(run)
    for run in range(runs):
        for folder in (
            local / f"ours-{run}",
            local / f"kubectl-{run}",
            root / f"in-ours-{run}",
            root / f"in-kubectl-{run}",
        ):
            shutil.rmtree(folder, ignore_errors=True)
    pull, push = statistics.median(ours_pull), statistics.median(ours_push)
    return {
        "mb": mb,
        "files": files,
        "pull_s": round(pull, 3),
        "push_s": round(push, 3),
        "kubectl_pull_s": round(statistics.median(theirs_pull), 3),
        "kubectl_push_s": round(statistics.median(theirs_push), 3),
        "pull_mb_per_s": round(mb / pull, 1),
        "push_mb_per_s": round(mb / push, 1),
        "ratio_vs_kubectl_cp_pull": round(pull / statistics.median(theirs_pull), 2),
        "ratio_vs_kubectl_cp_push": round(push / statistics.median(theirs_push), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 MB and 2,000 files, one run")
    args = parser.parse_args()
    mb, small_files, runs = (50, 2000, 1) if args.quick else (200, 10_000, 3)
    kubeconfig = os.environ["KUBECONFIG"]
    namespace = f"bench-transfer-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-transfer-") as scratch:
        root, local = Path(scratch) / "pod", Path(scratch) / "local"
        root.mkdir()
        kubectl(kubeconfig, "create", "namespace", namespace)
        try:
            kubectl(kubeconfig, "apply", "-n", namespace, "-f", "-", stdin=kwok_pod("bench", workdir=root))
            kubectl(kubeconfig, "wait", "-n", namespace, "--for=condition=Ready", "pod/bench", "--timeout=60s")
            results = [
                measure(kubeconfig, namespace, root, local, "one-file", mb, 1, runs),
                measure(kubeconfig, namespace, root, local, "small-files", mb, small_files, runs),
            ]
        finally:
            kubectl(kubeconfig, "delete", "namespace", namespace, "--wait=false")
    import transfer_cut  # the large file through a relay that cuts every connection (bench/transfer_cut.py)

    cut = transfer_cut.cut_scenario(kubeconfig, args.quick)
    for result in results:
        print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "transfer.json").write_text(json.dumps(results, indent=2))
    transfer_cut.record(cut)
    figures = " ".join(
        f"{key}@{'1file' if r['files'] == 1 else str(r['files']) + 'files'}={value}"
        for r in results
        for key, value in r.items()
        if key not in ("files",)
    )
    print(f"RESULT transfer {figures} {transfer_cut.figures(cut)}")


if __name__ == "__main__":
    main()
