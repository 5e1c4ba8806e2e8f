"""examples/preprocess's Dockerfile built by the app's ImageService (as g builds it) on the stack's dockerd, FROM the
stack's Python base image ($K8SX_PYTHON_IMAGE), and run as a container with a folder of this machine as
/persistent: the tutorial's layout works in the image (data in /persistent/data, results to /persistent/out), the
build context leaves data/ and results/ out, and bad input ends the container with exit code 1 and its reason."""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import NotFound

from tests.support.stack import ROOT, StackEnv, read_stack_env
from tui.models.images.image import BuildFailed, BuildFinished, ImageRef
from tui.services.images.images import ImageService

EXAMPLE = ROOT / "examples" / "preprocess"


@pytest.fixture(scope="module")
def client(stack: StackEnv) -> Iterator[docker.DockerClient]:
    engine = docker.DockerClient(base_url=stack.docker_host, timeout=120)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def example_image(client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example built as the loop builds it (a copy with a results/ folder that must stay out of the image)."""
    base = read_stack_env().get("K8SX_PYTHON_IMAGE", "")
    assert base, "tools/stack env exports no K8SX_PYTHON_IMAGE: the stack has no Python base image"
    dockerfile = (EXAMPLE / "Dockerfile").read_text()
    assert f"FROM {base}\n" in dockerfile, f"the example's Dockerfile must build FROM {base}"
    project = tmp_path_factory.mktemp("example") / "preprocess"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("results"))
    (project / "results" / "preprocess").mkdir(parents=True)
    (project / "results" / "preprocess" / "old.csv").write_text("left out of the build\n")
    ref = ImageRef.parse(f"k8sx-test/example-preprocess-{uuid.uuid4().hex[:8]}:1")
    events = list(ImageService(client, str(project / "docker-config")).build(project, "Dockerfile", ref))
    failed = [event for event in events if isinstance(event, BuildFailed)]
    assert not failed, failed[0].message + "\n" + "\n".join(failed[0].output)
    assert isinstance(events[-1], BuildFinished)
    yield str(ref)
    with contextlib.suppress(NotFound):
        client.api.remove_image(str(ref), force=True)


def run(client: docker.DockerClient, image: str, persistent: Path, *command: str) -> tuple[int, str, str]:
    """The container's exit code, stdout and stderr; /persistent is `persistent` (no network: the stack's dockerd
    has no bridge)."""
    container = client.containers.run(
        image,
        list(command) or None,
        volumes={str(persistent): {"bind": "/persistent", "mode": "rw"}},
        network_mode="none",
        detach=True,
    )
    try:
        code = int(container.wait(timeout=120)["StatusCode"])
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
    finally:
        container.remove(force=True)
    return code, out, err


def test_the_image_runs_the_tutorial_layout_and_holds_only_the_code(
    client: docker.DockerClient, example_image: str, tmp_path: Path
) -> None:
    persistent = tmp_path / "persistent"
    shutil.copytree(EXAMPLE / "data", persistent / "data")  # what u puts there
    code, out, err = run(client, example_image, persistent)  # the image's CMD: python preprocess.py
    assert (code, err) == (0, ""), out + err
    assert "processed 320/320 rows" in out.splitlines()
    assert out.splitlines()[-1].startswith("done: 320 rows from measurements.csv in ")
    summary = json.loads((persistent / "out" / "summary.json").read_text())
    assert summary["input"] == "/persistent/data/measurements.csv" and summary["rows"] == 320
    assert sorted(p.name for p in (persistent / "out").iterdir()) == [
        "by_sensor.csv",
        "measurements_clean.csv",
        "summary.json",
    ]

    code, out, _ = run(client, example_image, persistent, "sh", "-c", "pwd; ls -A /app; python --version")
    assert code == 0
    assert out.split() == ["/app", "preprocess.py", "Python", out.split()[-1]]
    assert out.split()[-1].startswith("3.11.")


def test_bad_input_in_the_image_ends_with_exit_code_1_and_its_reason(
    client: docker.DockerClient, example_image: str, tmp_path: Path
) -> None:
    persistent = tmp_path / "persistent"
    persistent.mkdir()
    code, _, err = run(client, example_image, persistent)
    assert code == 1
    assert err == (
        "preprocess: input not found: /persistent/data/measurements.csv (copy data/ in first: u on the pod, into "
        "/persistent)\n"
    )
    (persistent / "data").mkdir()
    (persistent / "data" / "measurements.csv").write_text("time,sensor,temperature,humidity\nt0,shed,cold,50\n")
    code, _, err = run(client, example_image, persistent)
    assert (code, err) == (1, "preprocess: measurements.csv row 1 (line 2): temperature is 'cold', not a number\n")
    assert not (persistent / "out").exists()
