"""examples/preprocess end to end through the app, with real Python on the real node (a kubelet with containerd):
the tutorial as a user runs it, key by key. `6` `g` builds the example's image FROM the stack's Python base, pushes
it, applies pod.yml (its claim and its pod), waits Running and opens a shell; `u` copies data/ into /persistent;
`python preprocess.py` runs in the shell (its lines also sent to the pod's log with `tee /proc/1/fd/1`, as the
example's README says); `l` shows them on the Logs screen; `r` pulls /persistent/out into ./results/preprocess; the
pod is deleted (`ctrl+d`) and `v` `r` pulls the same results again from its claim, byte for byte.

Run under `flock /tmp/real-node.lock` like every real-node test (the node has 4 local volumes, shared by them all).
Cleaned up: the pod, the claim (its volume recycled to Available by the stack), the pushed image's tags."""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
import requests
from docker.errors import APIError, NotFound
from textual.widgets import Input, Label, Static

from tests.e2e.test_claims_view import cells
from tests.e2e.test_deploy import follow_text, open_deploy
from tests.e2e.test_terminal import newest, shown, terminal, type_line, until_line, until_shown
from tests.support.app import SIZE, answer_dialog, make_app, settle
from tests.support.files import digests
from tests.support.logs import shown as log_rows
from tests.support.stack import ROOT, StackEnv, kubectl, read_stack_env, wait_for
from tui.app import K8sxApp
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import FormScreen
from tui.screens.logs.logs import LogsScreen
from tui.screens.pods.pods import PodsScreen
from tui.screens.transfer.claims import ClaimsScreen
from tui.screens.transfer.copy_in_plan import CopyInPlanScreen
from tui.screens.transfer.copy_progress import CopyScreen
from tui.services.images.last_pushed import LastPushed
from tui.services.transfer.claim_pull import ROLE, ROLE_LABEL

EXAMPLE = ROOT / "examples" / "preprocess"
POD, CLAIM = "preprocess", "preprocess-data"  # the names in the example's pod.yml
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
# One line typed into the shell: the run, its lines copied to the pod's log (PID 1's stdout), then its exit code
# (pipefail: python's, not tee's). No brackets or braces: each character is a key press.
RUN = "set -o pipefail; python preprocess.py | tee /proc/1/fd/1; echo preprocess-exit-$?"
PROGRESS = [f"processed {n}/320 rows" for n in (100, 200, 300, 320)]


@dataclass(frozen=True)
class Example:
    folder: Path  # the copy of examples/preprocess, the working directory
    repository: str  # 127.0.0.1:5000/k8sx-e2e/preprocess-<run>: this run's own


@pytest.fixture
def example(
    stack: StackEnv, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: docker.DockerClient
) -> Iterator[Example]:
    """A copy of the example as the working directory, with an image repository of this run (the loop tags it 0.1:
    the state folder, with the last pushed image, is the test's own); afterwards the pod and the claim deleted,
    the real node's volume back in the pool, and the pushed tags gone from the registry and the engine."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "docker-config").mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    folder = tmp_path / "preprocess"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("results"))
    image = f"k8sx-e2e/preprocess-{uuid.uuid4().hex[:8]}"
    project = (folder / "k8sx.yaml").read_text()
    assert "image: k8sx-examples/preprocess " in project, project
    (folder / "k8sx.yaml").write_text(project.replace("image: k8sx-examples/preprocess ", f"image: {image} "))
    monkeypatch.chdir(folder)
    try:
        yield Example(folder, f"{stack.registry}/{image}")
    finally:
        volume = kubectl(stack, "get", "pvc", CLAIM, "-n", namespace, "-o", "jsonpath={.spec.volumeName}", check=False)
        kubectl(stack, "delete", "pod", POD, "-n", namespace, "--ignore-not-found", "--wait=true", check=False)
        kubectl(stack, "delete", "pvc", CLAIM, "-n", namespace, "--ignore-not-found", "--wait=true", check=False)
        remove_pushed(stack, engine, image)
        if volume:  # the stack's recycler empties a Released volume and makes it Available (every 5 s)
            wait_for(lambda: volume_free(stack, volume, namespace), timeout=60, what=f"volume {volume} recycled")


def volume_free(stack: StackEnv, volume: str, namespace: str) -> bool:
    claim = kubectl(stack, "get", "pv", volume, "-o", "jsonpath={.spec.claimRef.namespace}", check=False)
    phase = kubectl(stack, "get", "pv", volume, "-o", "jsonpath={.status.phase}", check=False)
    return claim != namespace and phase in ("Available", "Bound")  # Bound: already taken by another claim


def remove_pushed(stack: StackEnv, engine: docker.DockerClient, image: str) -> None:
    """Every tag of `image` out of the registry (by its manifest's digest) and out of the stack's dockerd."""
    base = f"http://{stack.registry}/v2/{image}"
    tags = requests.get(f"{base}/tags/list", timeout=10).json().get("tags") or []
    for tag in tags:
        head = requests.head(f"{base}/manifests/{tag}", headers={"Accept": ", ".join(MANIFEST_TYPES)}, timeout=10)
        digest = head.headers.get("Docker-Content-Digest")
        if digest:
            requests.delete(f"{base}/manifests/{digest}", timeout=10)
    for local in engine.images.list(name=f"{stack.registry}/{image}"):
        for tag in local.tags:
            with contextlib.suppress(NotFound, APIError):
                engine.images.remove(tag, force=True)


# ---------------------------------------------------------------- what the screens show


def pods_screen(app: K8sxApp) -> PodsScreen:
    return next(s for stack in app._screen_stacks.values() for s in stack if isinstance(s, PodsScreen))


def pod_status(app: K8sxApp) -> str:
    row = pods_screen(app).table.rows.get(f"{pods_screen(app).kube.namespace}/{POD}")
    return row.status if row is not None else "Gone"


def form_value(app: K8sxApp, field: str) -> str:
    return app.screen.query_one(f"#field-{field}", Input).value


async def finished_copy(pilot: object, app: K8sxApp, timeout: float) -> tuple[str, str]:
    """The copy screen's status and note once the copy is over; Esc back."""
    await settle(
        pilot,  # type: ignore[arg-type]
        lambda: isinstance(app.screen, CopyScreen) and app.screen.finished,
        timeout=timeout,
        what="the copy finished",
    )
    status = str(app.screen.query_one("#copy-status", Static).content)
    note = str(app.screen.query_one("#copy-current", Static).content)
    await pilot.press("escape")  # type: ignore[attr-defined]
    return status, note


def check_results(results: Path, data: Path) -> None:
    """What preprocess.py wrote, against the dataset: every row kept, standardised, counted per sensor."""
    with (data / "measurements.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    per_sensor = Counter(row["sensor"] for row in rows)
    assert len(rows) == 320 and len(per_sensor) == 4

    assert sorted(p.name for p in results.iterdir()) == ["by_sensor.csv", "measurements_clean.csv", "summary.json"]
    summary = json.loads((results / "summary.json").read_text())
    assert summary["input"] == "/persistent/data/measurements.csv"
    assert summary["rows"] == 320 and summary["sensors"] == dict(sorted(per_sensor.items()))
    assert summary["outputs"] == ["measurements_clean.csv", "by_sensor.csv", "summary.json"]
    temperatures = [float(row["temperature"]) for row in rows]
    assert summary["columns"]["temperature"]["min"] == min(temperatures)
    assert summary["columns"]["temperature"]["max"] == max(temperatures)
    assert (summary["first_time"], summary["last_time"]) == (min(r["time"] for r in rows), max(r["time"] for r in rows))

    with (results / "measurements_clean.csv").open(newline="") as handle:
        clean = list(csv.DictReader(handle))
    assert len(clean) == 320
    assert list(clean[0]) == ["time", "sensor", "temperature", "humidity", "temperature_z", "humidity_z"]
    for given, out in zip(rows, clean, strict=True):
        assert (out["time"], out["sensor"]) == (given["time"], given["sensor"])
        assert float(out["temperature"]) == float(given["temperature"])
        assert float(out["humidity"]) == float(given["humidity"])
    z = [float(row["temperature_z"]) for row in clean]
    assert abs(sum(z) / len(z)) < 0.01 and max(z) > 1 and min(z) < -1  # standardised: mean 0, spread about 1

    with (results / "by_sensor.csv").open(newline="") as handle:
        by_sensor = list(csv.DictReader(handle))
    assert {row["sensor"]: int(row["rows"]) for row in by_sensor} == per_sensor
    for row in by_sensor:
        mine = [float(r["temperature"]) for r in rows if r["sensor"] == row["sensor"]]
        assert (float(row["temperature_min"]), float(row["temperature_max"])) == (min(mine), max(mine))


# ---------------------------------------------------------------- the test


async def test_the_preprocess_example_runs_real_python_on_the_real_node_from_g_to_results_pulled_twice(
    stack: StackEnv, namespace: str, example: Example
) -> None:
    node = read_stack_env()["K8SX_REAL_NODE"]
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        # 6, g: build -> push -> deploy (claim and pod) -> Running -> a shell tab.
        screen = await open_deploy(pilot, app)
        assert f"project k8sx.yaml: {example.repository}" in str(screen.query_one("#deploy-info", Static).content)
        assert f"name: {POD}" in screen.editor.text and f"name: {CLAIM}" in screen.editor.text
        await pilot.press("g")
        try:
            await settle(
                pilot,
                lambda: app.current_mode == "terminal" or "✗" in follow_text(app),
                timeout=180,
                what="the loop to open the shell",
            )
            assert app.current_mode == "terminal"
        except AssertionError:
            raise AssertionError(follow_text(app)) from None
        await settle(pilot, lambda: bool(terminal(app).tabs) and newest(app).started, timeout=60, what="the shell")
        shell = newest(app)
        text = follow_text(app)
        for stage in ("build", "push", "deploy", "running", "shell"):
            assert f"✓ {stage}" in text, text
        assert f"persistentvolumeclaim/{CLAIM} created, pod/{POD} created" in text, text
        pushed = LastPushed().get() or ""
        assert pushed.startswith(f"{example.repository}:0.1@sha256:"), pushed
        pod = json.loads(kubectl(stack, "get", "pod", POD, "-n", namespace, "-o", "json"))
        assert pod["spec"]["nodeName"] == node and pod["spec"]["containers"][0]["image"] == pushed

        # 1, u: data/ into /persistent (the project's data path), so it lands as /persistent/data.
        await pilot.press("ctrl+right_square_bracket", "1")
        await settle(pilot, lambda: pod_status(app) == "Running", what="the pod Running on the pod list")
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the copy-in form")
        assert form_value(app, "local") == ""  # nothing copied into this pod before
        assert form_value(app, "remote") == "/persistent"
        app.screen.query_one("#field-local", Input).value = str(example.folder / "data")
        await pilot.press("ctrl+s")  # the pod is asked first: /persistent is a folder, so data goes into it
        await settle(pilot, lambda: isinstance(app.screen, CopyInPlanScreen) and app.screen.plan is not None)
        assert f"to {namespace}/{POD}:/persistent/data\n" in str(app.screen.query_one("#plan-text", Label).content)
        await pilot.press("enter")
        status, _ = await finished_copy(pilot, app, timeout=60)
        assert status.startswith("done: 1 file,") and "every file checked (sha256)" in status, status

        # 3, Enter: the run in the shell, with its lines on the terminal's screen and its exit code.
        await pilot.press("3", "enter")
        await settle(pilot, lambda: shell.view is not None and app.focused is shell.view, what="typing in the shell")
        await type_line(pilot, RUN)
        await until_line(pilot, shell, "preprocess-exit-0", timeout=60)
        screen_text = shown(shell)
        for line in ["reading /persistent/data/measurements.csv", *PROGRESS]:
            assert f"\n{line}\n" in screen_text, screen_text
        await until_shown(pilot, shell, "\nwrote /persistent/out/summary.json\n")
        assert "\ndone: 320 rows from measurements.csv in " in screen_text, screen_text

        # 1, l: the pod's log, with what the run sent to it.
        await pilot.press("ctrl+right_square_bracket", "1", "l")
        await settle(pilot, lambda: isinstance(app.screen, LogsScreen), what="the Logs screen")
        await settle(
            pilot,
            lambda: (
                all(line in log_rows(app) for line in PROGRESS)
                and any(row.startswith("done: 320 rows") for row in log_rows(app))
            ),
            timeout=30,
            what="the run's lines in the pod's log",
        )
        logged = log_rows(app)
        assert logged[0].startswith("preprocess pod ready: copy data/ into /persistent (u)"), logged
        assert logged.index(PROGRESS[0]) < logged.index(PROGRESS[-1]), logged

        # 1, r: /persistent/out (the project's results path) into ./results/preprocess.
        await pilot.press("1", "r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the pull form")
        assert form_value(app, "remote") == "/persistent/out"
        assert form_value(app, "local") == str(example.folder / "results" / POD)
        await pilot.press("ctrl+s")
        status, _ = await finished_copy(pilot, app, timeout=60)
        assert status.startswith("done: 3 files,") and "every file checked (sha256)" in status, status
        first = example.folder / "results" / POD
        check_results(first, example.folder / "data")

        # ctrl+d: the pod goes (its claim stays); v, r: the same results from the claim, through a helper pod.
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete question")
        assert await answer_dialog(pilot, app, "tab", "enter") is True
        await settle(pilot, lambda: pod_status(app) == "Gone", timeout=60, what="the pod deleted")
        await pilot.press("v")
        await settle(
            pilot,
            lambda: isinstance(app.screen, ClaimsScreen) and cells(app).get(CLAIM, [""] * 8)[7] == "unused",
            timeout=30,
            what="the claim, used by no pod",
        )
        assert cells(app)[CLAIM][1] == "Bound"
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the claim's pull form")
        labels = " ".join(str(label.content) for label in app.screen.query(Label))
        assert f"as pod {POD} had them (the results path from k8sx.yaml)" in labels, labels
        assert form_value(app, "remote") == "/persistent/out"
        assert form_value(app, "image") == pushed
        assert form_value(app, "local") == str(example.folder / "results" / CLAIM)
        await pilot.press("ctrl+s")
        status, note = await finished_copy(pilot, app, timeout=120)
        assert status.startswith("done: 3 files,") and "every file checked (sha256)" in status, status
        assert f"from claim {CLAIM} through helper pod k8sx-pull-{CLAIM}-" in note, note
        assert digests(example.folder / "results" / CLAIM) == digests(first)

    helpers = f"{ROLE_LABEL}={ROLE}"
    wait_for(
        lambda: kubectl(stack, "get", "pods", "-n", namespace, "-l", helpers, "-o", "name") == "",
        timeout=30,
        what="the helper pod deleted",
    )
