"""Build and push the same generated context with ImageService and with the docker CLI, against the local stack.

    python bench/build_push.py [--quick | --smoke]

Every run builds without cache and pushes under a fresh tag, with a fresh file in the context, so each push
uploads the code layer again. The two tools take turns so that drift on this shared machine hits both alike.
Writes bench/results/build_push.json (build_push.smoke.json with --smoke); the last line printed is
`RESULT build_push ...`. --smoke: 4 small files, one run of each tool: the same code path in seconds (CI runs it;
its figures mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.images import busybox_context  # noqa: E402
from tui.models.images.image import BuildFinished, ImageRef  # noqa: E402
from tui.services.images.images import ImageService  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SIZES = {  # name: (files, bytes per file, runs)
    "smoke": (4, 4 * 1024, 1),
    "quick": (64, 64 * 1024, 5),
    "full": (256, 128 * 1024, 7),
}


def stack_env() -> dict[str, str]:
    """The stack's addresses: from the environment when `eval "$(tools/stack env)"` was done, else asked."""
    if "DOCKER_HOST" in os.environ and "K8SX_REGISTRY" in os.environ:
        return dict(os.environ)
    out = subprocess.run([str(ROOT / "tools" / "stack"), "env"], check=True, capture_output=True, text=True).stdout
    return dict(word.split("=", 1) for word in shlex.split(out) if "=" in word)


def build_base(client: docker.DockerClient) -> str:
    """busybox-static FROM scratch, the base of the benchmark's Dockerfile (nothing can be pulled here)."""
    buffer = busybox_context()
    name = f"k8sx-bench/busybox:{uuid.uuid4().hex[:8]}"
    client.images.build(fileobj=buffer, custom_context=True, tag=name, rm=True)
    return name


def generate_context(folder: Path, base: str, files: int, file_bytes: int) -> None:
    """A project of random (incompressible) files in a few folders, and a Dockerfile that copies it in."""
    for index in range(files):
        path = folder / f"part{index % 8}" / f"file{index:04d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(file_bytes))
    (folder / "Dockerfile").write_text(f"FROM {base}\nCOPY . /project/\nRUN ls -R /project | wc -l\n")


def renew(folder: Path) -> None:
    """A new file per run, so the COPY layer is new and the push really uploads it."""
    (folder / "run-id").write_text(uuid.uuid4().hex)


def ours(service: ImageService, context: Path, ref: ImageRef) -> tuple[float, float]:
    started = time.perf_counter()
    events = list(service.build(context, tag=ref, nocache=True))
    built = time.perf_counter()
    if not isinstance(events[-1], BuildFinished):
        raise SystemExit(f"ImageService build failed: {events[-1]}")
    pushed = list(service.push(ref))
    if pushed[-1].digest is None:
        raise SystemExit(f"ImageService push ended without a digest: {pushed[-1]}")
    return built - started, time.perf_counter() - built


def docker_cli(env: dict[str, str], context: Path, ref: ImageRef) -> tuple[float, float]:
    """The same work with `docker build` (classic builder, as dockerd 20.10 through the API) and `docker push`."""
    started = time.perf_counter()
    build = ["docker", "build", "--no-cache", "-q", "-t", str(ref), str(context)]
    subprocess.run(build, env=env, check=True, capture_output=True)
    built = time.perf_counter()
    subprocess.run(["docker", "push", "-q", str(ref)], env=env, check=True, capture_output=True)
    return built - started, time.perf_counter() - built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller context and fewer runs (under a minute)")
    parser.add_argument("--smoke", action="store_true", help="a tiny context, one run of each tool: seconds, for CI")
    args = parser.parse_args()
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    files, file_bytes, runs = SIZES[size]
    stack = stack_env()
    client = docker.DockerClient(base_url=stack["DOCKER_HOST"], timeout=60)
    with tempfile.TemporaryDirectory(prefix="k8sx-bench-") as scratch:
        config_dir = Path(scratch) / "docker-config"  # an empty docker config for both tools: no stray credentials
        config_dir.mkdir()
        cli_env = dict(os.environ, DOCKER_HOST=stack["DOCKER_HOST"], DOCKER_CONFIG=str(config_dir), DOCKER_BUILDKIT="0")
        service = ImageService(client, str(config_dir))
        base = build_base(client)
        context = Path(scratch) / "context"
        generate_context(context, base, files, file_bytes)
        repository = ImageRef.parse(f"{stack['K8SX_REGISTRY']}/k8sx-bench/build-push")
        timings: dict[str, list[tuple[float, float]]] = {"ours": [], "docker_cli": []}
        made: list[str] = []
        try:
            for run in range(runs):
                for tool in ("ours", "docker_cli") if run % 2 == 0 else ("docker_cli", "ours"):
                    renew(context)
                    ref = repository.with_tag(f"{tool}-{uuid.uuid4().hex[:8]}")
                    made.append(str(ref))
                    measure = ours(service, context, ref) if tool == "ours" else docker_cli(cli_env, context, ref)
                    timings[tool].append(measure)
                    client.api.remove_image(str(ref))
                    made.remove(str(ref))
        finally:
            for name in [*made, base]:
                client.api.remove_image(name, force=True)
            client.close()

    def median(tool: str, phase: int) -> float:
        return statistics.median(measure[phase] for measure in timings[tool])

    build_s, push_s = median("ours", 0), median("ours", 1)
    cli_build_s, cli_push_s = median("docker_cli", 0), median("docker_cli", 1)
    figures = {
        "build_s": round(build_s, 3),
        "push_s": round(push_s, 3),
        "ratio_vs_docker_cli": round((build_s + push_s) / (cli_build_s + cli_push_s), 3),
        "build_ratio": round(build_s / cli_build_s, 3),
        "push_ratio": round(push_s / cli_push_s, 3),
        "cli_build_s": round(cli_build_s, 3),
        "cli_push_s": round(cli_push_s, 3),
    }
    report = {
        "size": size,
        "runs": runs,
        "context_files": files + 2,
        "context_mb": round(files * file_bytes / 2**20, 1),
        "figures": figures,
        "timings_s": {tool: [[round(b, 3), round(p, 3)] for b, p in measures] for tool, measures in timings.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    written = RESULTS / ("build_push.smoke.json" if args.smoke else "build_push.json")
    written.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["timings_s"]))
    print("RESULT build_push " + " ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
