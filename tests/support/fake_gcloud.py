"""A stand-in `gcloud` first on PATH, so the app never runs the real one in a test: it records each call's
arguments and answers as the real `gcloud logging read --format=json` does — a JSON array of LogEntry objects on
stdout — or with the real one's error text on stderr and exit code 1."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = """\
#!{python}
import json, os, pathlib, sys, time
here = pathlib.Path(__file__).resolve().parent
with open(here / "calls.jsonl", "a") as calls:
    calls.write(json.dumps(sys.argv[1:]) + "\\n")
(here / "pid").write_text(str(os.getpid()))
answer = json.loads((here / "answer.json").read_text())
time.sleep(answer["sleep"])
sys.stdout.buffer.write((here / "stdout.bin").read_bytes())
sys.stdout.flush()
sys.stderr.write(answer["stderr"])
sys.exit(answer["code"])
"""

# What the real gcloud prints (its words), on stderr with exit code 1
NOT_SIGNED_IN = """\
ERROR: (gcloud.logging.read) You do not currently have an active account selected.
Please run:

  $ gcloud auth login

to obtain new credentials.

If you have already logged in with a different account, run:

  $ gcloud config set account ACCOUNT

to select an already authenticated account to use.
"""
PERMISSION_DENIED = (
    "ERROR: (gcloud.logging.read) PERMISSION_DENIED: Permission denied for all log views. This command is "
    "authenticated as someone@example.com which is the active account specified by the [core/account] property.\n"
)


def log_entry(
    text: str,
    timestamp: str,
    *,
    project: str = "my-proj",
    namespace: str = "experiments",
    pod: str = "trainer",
    container: str = "main",
    json_payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One LogEntry of a GKE container, as `gcloud logging read --format=json` prints it."""
    entry: dict[str, Any] = {
        "insertId": f"{container}-{timestamp}",
        "labels": {"compute.googleapis.com/resource_name": "gke-cluster-pool-1-abcd", "k8s-pod/app": pod},
        "logName": f"projects/{project}/logs/{'stdout' if json_payload is None else 'stderr'}",
        "receiveTimestamp": timestamp.replace("Z", "1Z") if "." in timestamp else timestamp,
        "resource": {
            "labels": {
                "cluster_name": "cluster",
                "container_name": container,
                "location": "europe-west1-b",
                "namespace_name": namespace,
                "pod_name": pod,
                "project_id": project,
            },
            "type": "k8s_container",
        },
        "severity": "INFO",
        "timestamp": timestamp,
    }
    if json_payload is None:
        entry["textPayload"] = text
    else:
        entry["jsonPayload"] = json_payload
    return entry


class FakeGcloud:
    """The stand-in in `folder`; `answer` sets what its next calls print."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        script = folder / "gcloud"
        script.write_text(SCRIPT.format(python=sys.executable))
        script.chmod(0o755)
        self.answer()

    def answer(
        self,
        entries: list[dict[str, Any]] | None = None,
        *,
        stdout: bytes | None = None,
        stderr: str = "",
        code: int = 0,
        sleep: float = 0.0,
    ) -> None:
        """The entries as a JSON array (gcloud's indented output), or `stdout` as it is."""
        out = stdout if stdout is not None else json.dumps(entries or [], indent=2).encode() + b"\n"
        (self.folder / "stdout.bin").write_bytes(out)
        (self.folder / "answer.json").write_text(json.dumps({"stderr": stderr, "code": code, "sleep": sleep}))

    @property
    def calls(self) -> list[list[str]]:
        path = self.folder / "calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    @property
    def pid(self) -> int:
        return int((self.folder / "pid").read_text())


def install_fake_gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGcloud:
    """The stand-in first on PATH for this test."""
    fake = FakeGcloud(tmp_path / "fake-gcloud")
    monkeypatch.setenv("PATH", f"{fake.folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return fake


def without_gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH as it is, but with no gcloud on it: a folder that holds one (this machine's /usr/bin may) is replaced by
    a folder of links to everything else in it."""
    folders = []
    for index, folder in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if folder and (Path(folder) / "gcloud").exists():
            copy = tmp_path / f"path-without-gcloud-{index}"
            copy.mkdir()
            for item in Path(folder).iterdir():
                if item.name != "gcloud":
                    (copy / item.name).symlink_to(item)
            folder = str(copy)
        folders.append(folder)
    monkeypatch.setenv("PATH", os.pathsep.join(folders))
    assert shutil.which("gcloud") is None
