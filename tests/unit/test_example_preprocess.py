"""examples/preprocess: preprocess.py run with this machine's python on the committed dataset and on bad inputs
(outputs, summary, progress lines, exit codes and messages), and the project's k8sx.yaml and pod.yml as the app's
own readers take them (the real node's selector, toleration and storage class; the claim at /persistent)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pods import REAL_NODE_TOLERATION
from tests.support.stack import ROOT
from tui.models.deploy.pod_template import images_of, name_of, parse_manifests, pods_of, replace_image
from tui.services.project.project_file import find_project, load_project
from tui.services.transfer.pod_paths import pod_paths

EXAMPLE = ROOT / "examples" / "preprocess"
SCRIPT = EXAMPLE / "preprocess.py"
DATASET = EXAMPLE / "data" / "measurements.csv"
HEADER = "time,sensor,temperature,humidity\n"
OUTPUTS = ["by_sensor.csv", "measurements_clean.csv", "summary.json"]


def run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREPROCESS_")} | (env or {})
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
    )


def dataset_rows() -> list[dict[str, str]]:
    with DATASET.open(newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- the dataset, processed


def test_the_dataset_is_processed_with_progress_and_its_summary_matches_the_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run(DATASET, "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == f"reading {DATASET}"
    assert [line for line in lines if line.startswith("processed ")] == [
        "processed 100/320 rows",
        "processed 200/320 rows",
        "processed 300/320 rows",
        "processed 320/320 rows",
    ]
    assert f"wrote {out / 'summary.json'}" in lines
    assert re.fullmatch(
        rf"done: 320 rows from measurements\.csv in [0-9.]+ s; results in {re.escape(str(out))}", lines[-1]
    )
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # no .partial left behind

    rows = dataset_rows()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"] == str(DATASET)
    assert summary["rows"] == len(rows) == 320
    assert summary["sensors"] == {"greenhouse-a": 80, "greenhouse-b": 80, "outdoor": 80, "shed": 80}
    assert summary["first_time"] == "2024-03-01T00:00" and summary["last_time"] == "2024-03-02T15:30"
    assert summary["outputs"] == ["measurements_clean.csv", "by_sensor.csv", "summary.json"]
    for column in ("temperature", "humidity"):
        values = [float(row[column]) for row in rows]
        assert summary["columns"][column] == {
            "mean": round(statistics.fmean(values), 4),
            "std": round(statistics.pstdev(values), 4),
            "min": min(values),
            "max": max(values),
        }

    with (out / "measurements_clean.csv").open(newline="") as handle:
        clean = list(csv.DictReader(handle))
    assert len(clean) == 320
    assert list(clean[0]) == ["time", "sensor", "temperature", "humidity", "temperature_z", "humidity_z"]
    assert [(r["time"], r["sensor"]) for r in clean] == [(r["time"], r["sensor"]) for r in rows]
    for column in ("temperature_z", "humidity_z"):
        standardised = [float(r[column]) for r in clean]
        assert abs(statistics.fmean(standardised)) < 0.01
        assert abs(statistics.pstdev(standardised) - 1) < 0.01

    with (out / "by_sensor.csv").open(newline="") as handle:
        by_sensor = {row["sensor"]: row for row in csv.DictReader(handle)}
    assert sorted(by_sensor) == ["greenhouse-a", "greenhouse-b", "outdoor", "shed"]
    shed = [float(r["temperature"]) for r in rows if r["sensor"] == "shed"]
    assert by_sensor["shed"]["rows"] == "80"
    assert float(by_sensor["shed"]["temperature_mean"]) == round(statistics.fmean(shed), 4)
    assert float(by_sensor["shed"]["temperature_min"]) == min(shed)
    assert float(by_sensor["shed"]["temperature_max"]) == max(shed)


def test_input_and_output_come_from_the_environment_and_a_folder_means_its_measurements_csv(tmp_path: Path) -> None:
    data = tmp_path / "persistent" / "data"
    shutil.copytree(DATASET.parent, data)
    out = tmp_path / "persistent" / "out"
    done = run("--every", "160", env={"PREPROCESS_INPUT": str(data), "PREPROCESS_OUT": str(out)})
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("processed ")] == [
        "processed 160/320 rows",
        "processed 320/320 rows",
    ]
    assert json.loads((out / "summary.json").read_text())["input"] == str(data / "measurements.csv")


def test_a_run_again_replaces_the_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    small = tmp_path / "small.csv"
    small.write_text(HEADER + "2024-03-01T00:00,shed,1.5,50\n2024-03-01T00:30,shed,2.5,60\n")
    assert run(small, "--out", out).returncode == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"] == 2
    assert summary["columns"]["temperature"] == {"mean": 2.0, "std": 0.5, "min": 1.5, "max": 2.5}


# ---------------------------------------------------------------- bad input: exit 1, one line, nothing written


def bad(tmp_path: Path, text: str | bytes | None, name: str = "measurements.csv") -> subprocess.CompletedProcess[str]:
    source = tmp_path / name
    if isinstance(text, bytes):
        source.write_bytes(text)
    elif text is not None:
        source.write_text(text)
    done = run(source, "--out", tmp_path / "out")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert not (tmp_path / "out").exists(), "bad input must write nothing"
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("preprocess: "), done.stderr
    return done


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    done = bad(tmp_path, None, "nope.csv")
    assert done.stderr == f"preprocess: input not found: {tmp_path / 'nope.csv'}\n"


def test_the_default_input_missing_says_how_to_copy_it_in(tmp_path: Path) -> None:
    if Path("/persistent/data/measurements.csv").exists():
        pytest.fail("this machine has /persistent/data/measurements.csv: the default input is not missing here")
    done = run("--out", tmp_path / "out")
    assert done.returncode == 1
    assert done.stderr == (
        "preprocess: input not found: /persistent/data/measurements.csv (copy data/ in first: u on the pod, into "
        "/persistent)\n"
    )


def test_a_header_without_the_expected_columns_names_them(tmp_path: Path) -> None:
    done = bad(tmp_path, "time,sensor,temp,hum\n2024-03-01T00:00,shed,1,2\n")
    assert done.stderr == (
        f"preprocess: {tmp_path / 'measurements.csv'}: the header has no columns temperature, humidity "
        "(expected time, sensor, temperature, humidity; found time, sensor, temp, hum)\n"
    )
    done = bad(tmp_path, "time,sensor,temperature\n2024-03-01T00:00,shed,1\n")
    assert "the header has no column humidity (expected" in done.stderr


def test_a_value_that_is_not_a_number_names_the_row_line_and_column(tmp_path: Path) -> None:
    lines = DATASET.read_text().splitlines(keepends=True)
    lines[17] = "2024-03-01T02:00,shed,warm,61.0\n"  # row 17, line 18
    done = bad(tmp_path, "".join(lines))
    assert done.stderr == "preprocess: measurements.csv row 17 (line 18): temperature is 'warm', not a number\n"
    assert done.stdout.splitlines() == [f"reading {tmp_path / 'measurements.csv'}"]  # stopped before any progress

    done = bad(tmp_path, HEADER + "2024-03-01T00:00,shed,1.0,\n")
    assert done.stderr == "preprocess: measurements.csv row 1 (line 2): humidity is '', not a number\n"
    done = bad(tmp_path, HEADER + "2024-03-01T00:00,shed,1.0,50\n2024-03-01T00:30,shed,nan,50\n")
    assert done.stderr == "preprocess: measurements.csv row 2 (line 3): temperature is 'nan', not a finite number\n"


def test_short_rows_empty_files_and_binary_files_are_refused_in_words(tmp_path: Path) -> None:
    done = bad(tmp_path, HEADER + "2024-03-01T00:00,shed,1.0\n")
    assert done.stderr == "preprocess: measurements.csv row 1 (line 2): 3 values, the header has 4\n"
    done = bad(tmp_path, HEADER + "2024-03-01T00:00,,1.0,2\n")
    assert done.stderr == "preprocess: measurements.csv row 1 (line 2): sensor is empty\n"
    done = bad(tmp_path, "")
    assert "is empty: expected a header line with the columns time, sensor, temperature, humidity" in done.stderr
    done = bad(tmp_path, HEADER)
    assert done.stderr.endswith("measurements.csv has a header but no rows\n")
    done = bad(tmp_path, b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    assert "not UTF-8 text" in done.stderr
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    done = run(folder, "--out", tmp_path / "out")
    assert (done.returncode, done.stderr) == (1, f"preprocess: input not found: {folder / 'measurements.csv'}\n")


def test_an_output_folder_that_cannot_be_written_is_said(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    done = run(DATASET, "--out", blocker)
    assert done.returncode == 1
    assert done.stderr.startswith(f"preprocess: cannot write the results to {blocker}: "), done.stderr


# ---------------------------------------------------------------- the project, through the app's readers


def test_the_project_file_loads_and_names_the_example_image_build_pod_and_paths() -> None:
    found = find_project(EXAMPLE)
    assert found == EXAMPLE / "k8sx.yaml"
    project = load_project(found)
    assert project.repository == "127.0.0.1:5000/k8sx-examples/preprocess"
    assert project.tag == ""  # one up with each push
    assert project.resolve(project.context) == EXAMPLE
    assert project.resolve(project.dockerfile) == EXAMPLE / "Dockerfile"
    assert project.resolve(project.pod_file) == EXAMPLE / "pod.yml"
    assert (project.data_path, project.results_path) == ("/persistent", "/persistent/out")
    paths = pod_paths(EXAMPLE, "/settings/out", "/settings/data")  # what u and r start at: the project's
    assert (paths.data, paths.results, paths.data_from, paths.results_from) == (
        "/persistent",
        "/persistent/out",
        "k8sx.yaml",
        "k8sx.yaml",
    )


def test_the_dockerfile_builds_from_the_stacks_python_image_with_the_code_only() -> None:
    dockerfile = [line for line in (EXAMPLE / "Dockerfile").read_text().splitlines() if line and line[0] != "#"]
    assert dockerfile[0] == "FROM 127.0.0.1:5000/library/python:3.11-slim"
    assert "WORKDIR /app" in dockerfile and "COPY preprocess.py ." in dockerfile
    assert not any(line.startswith("RUN pip") for line in dockerfile)  # stdlib only
    ignored = (EXAMPLE / ".dockerignore").read_text().split()
    assert {"data", "results"} <= set(ignored)


def test_pod_yml_is_a_claim_and_a_real_node_pod_mounting_it_at_persistent() -> None:
    stack_script = (ROOT / "tools" / "stack").read_text()
    real_class = re.search(r"^REAL_STORAGE_CLASS=(\S+)$", stack_script, re.M)
    assert real_class is not None
    manifests = parse_manifests((EXAMPLE / "pod.yml").read_text())
    assert [m["kind"] for m in manifests] == ["PersistentVolumeClaim", "Pod"]
    claim, pod = manifests[0], pods_of(manifests)[0]
    assert claim["spec"]["storageClassName"] == real_class.group(1) == "real-node"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    spec = pod["spec"]
    assert spec["nodeSelector"] == {"type": "real"}
    assert spec["tolerations"] == [REAL_NODE_TOLERATION]
    assert spec["volumes"] == [{"name": "persistent", "persistentVolumeClaim": {"claimName": name_of(claim)}}]
    (container,) = spec["containers"]
    assert container["volumeMounts"] == [{"name": "persistent", "mountPath": "/persistent"}]
    assert container["workingDir"] == "/app"
    assert "exec sleep infinity" in container["command"][-1]  # waits for a shell
    assert "mkdir" not in container["command"][-1]  # /persistent/data is made by u: it would refuse one already there

    # g puts the pushed image into the pod: its repository is the project's
    pushed = f"{load_project(EXAMPLE / 'k8sx.yaml').repository}:0.2@sha256:{'0' * 64}"
    replaced, changed = replace_image(manifests, pushed)
    assert images_of(pods_of(replaced)[0]) == [pushed]
    assert changed == [f"preprocess/main: {container['image']}"]
