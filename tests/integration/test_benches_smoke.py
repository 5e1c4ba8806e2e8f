"""Every bench (bench/<name>.py, found by globbing, so a new one is included) runs in its `--smoke` mode against the
real local stack: the same code path as its measuring modes at tiny sizes, in seconds. A bench broken by a feature
fails here instead of rotting until someone measures. Only that it runs and reports is checked: it exits 0 and its
last line is `RESULT <name> key=value ...`; figures are never asserted (bench/README.md, /work/shared/BENCH.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stack import StackEnv, read_stack_env

ROOT = Path(__file__).resolve().parent.parent.parent
BENCHES = sorted(path.stem for path in (ROOT / "bench").glob("*.py") if not path.name.startswith("_"))
TIMEOUT_S = 180  # generous: a smoke run takes seconds
PAIR = r"[^\s=]+=\S+"


@pytest.mark.parametrize("name", BENCHES)
def test_bench_runs_in_smoke_mode(stack: StackEnv, name: str) -> None:
    env = os.environ | read_stack_env()  # KUBECONFIG, DOCKER_HOST, the registries: as `eval "$(tools/stack env)"`
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--smoke"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"bench/{name}.py --smoke did not end within {TIMEOUT_S} s:\n{exc.stderr!r}"[-3000:])
    said = f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"bench/{name}.py --smoke exited {done.returncode}\n{said}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"bench/{name}.py --smoke printed nothing\n{said}"
    assert re.fullmatch(rf"RESULT {re.escape(name)}( {PAIR})+", lines[-1]), f"not a RESULT line: {lines[-1]!r}\n{said}"
