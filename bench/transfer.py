"""Transfer benchmark: the app's pull (tar over exec, sha256-verified) and copy-in against `kubectl cp`, on the same
data in the same run, through the real API server to a kwok pod (whose exec runs locally, so bytes really move).
Ours is the real app (App.run_test, real backends): `r` and `u` on its pod list, from the form's ctrl+s to done.

Data sets: one large file and many small files. Figures: mb, files, pull_mb_per_s, push_mb_per_s and the
ratios ours/kubectl for time (<= 1.0 means at least as fast): against `kubectl cp` as it runs by default (over
websockets, which the API server translates), the target, and against `kubectl cp` over SPDY (as the app's copies
go: passed through), for reference. Writes bench/results/transfer.json; the last line
is `RESULT transfer ...`. Run: python bench/transfer.py [--quick | --smoke] (needs tools/stack up; uses $KUBECONFIG).
--smoke: 1 MB as one file and as 20 files, one run, `kubectl cp` beside it as in the full run, then the cut
scenario at 8 MB: the same code path in seconds (CI runs it; its figures mean nothing); writes transfer.smoke.json.

On an ext4 without a journal (this VM's) creating a file skips every inode freed in the last minutes, so many small
files copied right after many were deleted (by tests, or an earlier run) are slow for both tools: run it on a
quiet machine, and compare the two tools' figures of the same run rather than runs with each other.
"""

from __future__ import annotations

import argparse
import asyncio
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

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.pods import kwok_pod
from tui.app import K8sxApp
from tui.backends import Backends
from tui.screens.common.forms import FormScreen
from tui.screens.transfer.copy_in_plan import CopyInPlanScreen
from tui.screens.transfer.copy_progress import CopyScreen
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService

STUCK_S = 900.0  # one app transfer taking longer than this is a hang, said as one, not waited out
LOOK_EVERY_S = 0.005  # how often the bench looks whether the screen says done (its error: half of this)

RESULTS = Path(__file__).resolve().parent / "results"
CASES = ("one-file", "small-files")


def kubectl(kubeconfig: str, *args: str, stdin: str | None = None, spdy: bool = False) -> str:
    """kubectl as a user runs it (websockets, its default), or over SPDY as the app's copies go."""
    env = dict(os.environ, KUBECTL_REMOTE_COMMAND_WEBSOCKETS="false") if spdy else None
    done = subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, *args], input=stdin, capture_output=True, text=True, env=env
    )
    if done.returncode:
        raise SystemExit(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


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


def type_key(app: K8sxApp, key: str) -> None:
    """A key as the terminal's input thread gives it to the app (what Pilot.press does, without its waits)."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


class AppTransfers:
    """The app's own `r` and `u` on its pod list (App.run_test with the real backends), timed from the form's
    ctrl+s to the copy screen saying it is done: what a user waits for, progress screen and its updates included."""

    def __init__(self, app: K8sxApp, pilot: Pilot[None]) -> None:
        self.app = app
        self.pilot = pilot

    async def _form(self, key: str) -> FormScreen:
        await self.pilot.press(key)
        while not isinstance(self.app.screen, FormScreen):
            await self.pilot.pause(0.01)
        return self.app.screen

    async def _timed_run(self, fields: dict[str, str], key: str) -> float:
        form = await self._form(key)
        for field, value in fields.items():
            form.query_one(f"#field-{field}", Input).value = value
        # Keys go in as a terminal's input thread hands them over (type_key), and the end is the first look that
        # finds the screen saying done: Pilot.press would wait after each key until the process is idle, which it
        # is not while a copy runs, and its 20 ms steps (then some) were counted as the app's.
        started = time.perf_counter()
        type_key(self.app, "ctrl+s")
        confirmed: object = None
        while not (isinstance(self.app.screen, CopyScreen) and self.app.screen.finished):
            screen = self.app.screen
            if isinstance(screen, CopyInPlanScreen) and screen.plan is not None and screen is not confirmed:
                type_key(self.app, "enter")  # a copy in shows where it lands first: the user confirms it
                confirmed = screen
            if time.perf_counter() - started > STUCK_S:
                raise SystemExit(f"the app's transfer did not end within {STUCK_S:.0f} s (on {type(screen).__name__})")
            await asyncio.sleep(LOOK_EVERY_S)
        took = time.perf_counter() - started
        status = str(self.app.screen.query_one("#copy-status", Static).content)
        await self.pilot.press("escape")
        if not status.startswith("done:") or "sha256" not in status:
            raise SystemExit(f"the app's transfer did not end as it should: {status}")
        return took

    async def pull(self, remote: Path, local: Path) -> float:
        return await self._timed_run({"remote": str(remote), "local": str(local)}, "r")

    async def push(self, local: Path, remote: Path) -> float:
        return await self._timed_run({"local": str(local), "remote": str(remote)}, "u")


async def measure(
    kubeconfig: str, namespace: str, root: Path, local: Path, name: str, mb: int, files: int, runs: int
) -> dict[str, float]:
    remote_src = root / "src" / name
    make_data(remote_src, mb, files)
    local_src = local / "src" / name
    shutil.copytree(remote_src, local_src)
    ours_pull: list[float] = []
    theirs_pull: list[float] = []
    ours_push: list[float] = []
    theirs_push: list[float] = []
    spdy_pull: list[float] = []
    spdy_push: list[float] = []
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    app = K8sxApp(Backends(KubeService(kubeconfig, None, namespace), DockerService(docker_host)))
    async with app.run_test(size=(160, 40)) as pilot:
        while "1 pod in namespace" not in str(app.screen.query_one("#pods-info", Static).content):
            await pilot.pause(0.05)
        ours = AppTransfers(app, pilot)

        async def pull_ours(run: int) -> None:
            ours_pull.append(await ours.pull(remote_src, local / f"ours-{run}" / name))

        async def pull_theirs(run: int) -> None:
            target = f"{namespace}/bench:{remote_src}"
            theirs_pull.append(timed(lambda: kubectl(kubeconfig, "cp", target, str(local / f"kubectl-{run}"))))

        async def pull_spdy(run: int) -> None:
            target = f"{namespace}/bench:{remote_src}"
            spdy_pull.append(timed(lambda: kubectl(kubeconfig, "cp", target, str(local / f"spdy-{run}"), spdy=True)))

        async def push_ours(run: int) -> None:
            ours_push.append(await ours.push(local_src, root / f"in-ours-{run}"))

        async def push_theirs(run: int) -> None:
            target = f"{namespace}/bench:{root / f'in-kubectl-{run}'}"
            theirs_push.append(timed(lambda: kubectl(kubeconfig, "cp", str(local_src), target)))

        async def push_spdy(run: int) -> None:
            target = f"{namespace}/bench:{root / f'in-spdy-{run}'}"
            spdy_push.append(timed(lambda: kubectl(kubeconfig, "cp", str(local_src), target, spdy=True)))

        # Fair to all on this file system: nothing is deleted until the end (ext4 without a journal skips every
        # inode freed in the last minutes when it creates a file, so whoever copies right after a deletion of
        # 10,000 files pays for it), and each run turns who goes first.
        for run in range(runs):
            for steps in ((pull_ours, pull_theirs, pull_spdy), (push_ours, push_theirs, push_spdy)):
                turn = run % len(steps)
                for step in steps[turn:] + steps[:turn]:
                    await step(run)
    for run in range(runs):
        for folder in (
            local / f"ours-{run}",
            local / f"kubectl-{run}",
            local / f"spdy-{run}",
            root / f"in-ours-{run}",
            root / f"in-kubectl-{run}",
            root / f"in-spdy-{run}",
        ):
            shutil.rmtree(folder, ignore_errors=True)
    pull, push = statistics.median(ours_pull), statistics.median(ours_push)
    return {
        "mb": mb,
        "files": files,
        "runs": runs,
        "pull_s": round(pull, 3),
        "push_s": round(push, 3),
        "kubectl_pull_s": round(statistics.median(theirs_pull), 3),
        "kubectl_push_s": round(statistics.median(theirs_push), 3),
        "pull_mb_per_s": round(mb / pull, 1),
        "push_mb_per_s": round(mb / push, 1),
        "ratio_vs_kubectl_cp_pull": round(pull / statistics.median(theirs_pull), 2),
        "ratio_vs_kubectl_cp_push": round(push / statistics.median(theirs_push), 2),
        "kubectl_spdy_pull_s": round(statistics.median(spdy_pull), 3),
        "kubectl_spdy_push_s": round(statistics.median(spdy_push), 3),
        "ratio_vs_kubectl_cp_spdy_pull": round(pull / statistics.median(spdy_pull), 2),
        "ratio_vs_kubectl_cp_spdy_push": round(push / statistics.median(spdy_push), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 MB and 2,000 files, one run")
    parser.add_argument("--smoke", action="store_true", help="1 MB and 20 files, one run: seconds, for CI")
    parser.add_argument(
        "--case", choices=CASES, help="only this data set, without the cut scenario; results are not written"
    )
    parser.add_argument("--runs", type=int, help="alternating runs of each case (default: 5, or 1 with --quick)")
    args = parser.parse_args()
    size_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    mb, small_files, runs = {"smoke": (1, 20, 1), "quick": (50, 2000, 1), "full": (200, 10_000, 5)}[size_name]
    runs = args.runs or runs
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
                asyncio.run(measure(kubeconfig, namespace, root, local, case, mb, files, runs))
                for case, files in (("one-file", 1), ("small-files", small_files))
                if args.case in (None, case)
            ]
        finally:
            kubectl(kubeconfig, "delete", "namespace", namespace, "--wait=false")
    if args.case:  # a look at one case while working on it: not a result
        for result in results:
            print(json.dumps(result))
        return
    import transfer_cut  # the large file through a relay that cuts every connection (bench/transfer_cut.py)

    cut = transfer_cut.cut_scenario(kubeconfig, size_name)
    for result in results:
        print("  " + json.dumps(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("transfer.smoke.json" if args.smoke else "transfer.json")).write_text(json.dumps(results, indent=2))
    transfer_cut.record(cut, args.smoke)
    figures = " ".join(
        f"{key}@{'1file' if r['files'] == 1 else str(r['files']) + 'files'}={value}"
        for r in results
        for key, value in r.items()
        if key not in ("files", "runs")
    )
    print(f"RESULT transfer {figures} {transfer_cut.figures(cut)}")


if __name__ == "__main__":
    main()
