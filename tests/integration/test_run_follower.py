"""The run follower against pods that really run on the real node (run under /tmp/real-node.lock): a run's log is
archived byte for byte as `kubectl logs` prints it, stays readable after the pod is deleted, and a follower stopped
midway and started again continues without a line repeated or lost."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from tests.support.logs import Clock, cri, log_pod
from tests.support.pods import real_node_pod
from tests.support.real_node import engine, kube, pod_json, pushed_image
from tests.support.run_logs import archived_text, following, kubectl_logs, record_run
from tests.support.stack import StackEnv, apply, kubectl, wait_for
from tui.models.runs.run import LogArchive, Run
from tui.services.kube.kube import KubeService
from tui.services.runs.store import RunStore

__all__ = ["engine", "kube", "pushed_image"]  # fixtures

# Numbered lines, then a few a kubelet must keep byte for byte: escape sequences, a NUL, invalid UTF-8, a "\r".
PRINT_AND_EXIT = r"""
i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done
printf '\033[31mred\033[0m \033]52;c;cGF5bG9hZA==\007\n'
printf 'nul\000inside \377\376 carriage\rreturn\n'
echo "done"
"""
SLOW = 'i=0; while [ $i -lt {n} ]; do echo "line $i"; i=$((i+1)); sleep 0.02; done'
FOREVER = 'echo "started"; echo "working"; while true; do sleep 1; done'


def start_run(stack: StackEnv, kube: KubeService, store: RunStore, image: str, name: str, script: str) -> Run:
    """Apply a pod on the real node and record its run, as the app's recorder would."""
    pod = real_node_pod(name, image, ["sh", "-c", script])
    text = yaml.safe_dump(pod, sort_keys=False)
    apply(stack, kube.namespace, text)
    return record_run(stack, kube.namespace, name, text, store=store)


def archive(store: RunStore, run: Run) -> LogArchive | None:
    return next((a for a in store.logs(run.id) if a.container == "main"), None)


def archived(store: RunStore, run: Run) -> bytes:
    return archived_text(store, run.id)


def complete(store: RunStore, run: Run) -> bool:
    found = archive(store, run)
    return found is not None and found.complete


def test_a_run_log_is_archived_as_kubectl_prints_it_and_outlives_its_pod(
    stack: StackEnv, kube: KubeService, pushed_image: str, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs")
    run = start_run(stack, kube, store, pushed_image, "numbered", PRINT_AND_EXIT)
    with following(kube, store):
        wait_for(lambda: store.get(run.id).phase == "Succeeded", timeout=120, what="the run Succeeded")
        wait_for(lambda: complete(store, run), timeout=60, what="its log archived to the end")
        printed = kubectl_logs(stack, kube.namespace, "numbered")
        assert printed.count(b"\n") == 303 and b"\x1b[31mred" in printed and b"\x00inside \xff\xfe" in printed
        assert archived(store, run) == printed
        recorded = store.get(run.id)
        assert recorded.pod == "numbered" and recorded.ended is not None
        assert [(c.name, c.exit_code) for c in recorded.containers] == [("main", 0)]
        found = archive(store, run)
        assert found is not None and (found.lines, found.complete, found.gaps) == (303, True, ())
        assert found.last_time.startswith(time.strftime("%Y-%m-%dT", time.gmtime()))

        kubectl(stack, "delete", "pod", "-n", kube.namespace, "numbered", "--wait=true")
        assert pod_json(kube, kube.namespace, "numbered") is None
        time.sleep(1.5)  # a poll or two with the pod gone: the ended run keeps what it said
        assert archived(store, run) == printed
        assert store.get(run.id).phase == "Succeeded" and complete(store, run)


def test_a_running_pod_deleted_ends_its_run_deleted_with_its_log_kept(
    stack: StackEnv, kube: KubeService, pushed_image: str, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs")
    run = start_run(stack, kube, store, pushed_image, "forever", FOREVER)
    with following(kube, store):
        wait_for(lambda: archived(store, run) == b"started\nworking\n", timeout=120, what="its first lines")
        assert store.get(run.id).phase == "Running"
        printed = kubectl_logs(stack, kube.namespace, "forever")
        kubectl(stack, "delete", "pod", "-n", kube.namespace, "forever", "--wait=true")
        wait_for(lambda: store.get(run.id).phase != "Running", timeout=60, what="the run ended")
        assert store.get(run.id).phase == "Deleted", store.get(run.id)
        ended = store.get(run.id).ended
        assert ended is not None and abs(ended - time.time()) < 60
        wait_for(lambda: complete(store, run), timeout=30, what="its log marked complete")
        assert archived(store, run) == printed == b"started\nworking\n"
        assert archive(store, run).gaps == ()  # type: ignore[union-attr]  # (read to the end: the container was killed)
        assert store.unfinished() == []


def test_a_follower_stopped_midway_and_started_again_misses_and_repeats_no_line(
    stack: StackEnv, kube: KubeService, pushed_image: str, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs")
    lines = 400
    run = start_run(stack, kube, store, pushed_image, "slow", SLOW.format(n=lines))
    with following(kube, store):
        wait_for(lambda: archived(store, run).count(b"\n") >= 40, timeout=120, what="the first lines archived")
    stopped_at = archived(store, run).count(b"\n")
    assert stopped_at < lines, "the pod printed everything before the follower stopped: nothing left to catch up"
    time.sleep(1.5)  # the pod goes on printing while no follower runs

    with following(kube, store):
        wait_for(lambda: complete(store, run), timeout=120, what="the rest caught up")
    got = archived(store, run).decode().splitlines()
    assert len(got) == lines and got == [f"line {i}" for i in range(lines)]
    assert archived(store, run) == kubectl_logs(stack, kube.namespace, "slow")
    found = archive(store, run)
    assert found is not None and found.lines == lines and found.gaps == ()


def test_a_pod_deleted_while_no_follower_ran_ends_deleted_with_a_gap_in_words(
    stack: StackEnv, kube: KubeService, pushed_image: str, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs")
    run = start_run(stack, kube, store, pushed_image, "meanwhile", FOREVER)
    with following(kube, store):
        wait_for(lambda: archived(store, run) == b"started\nworking\n", timeout=120, what="its first lines")
    kubectl(stack, "delete", "pod", "-n", kube.namespace, "meanwhile", "--wait=true")

    with following(kube, store):
        wait_for(lambda: store.get(run.id).phase == "Deleted", timeout=60, what="the run Deleted")
    found = archive(store, run)
    assert found is not None and found.complete and archived(store, run) == b"started\nworking\n"
    assert len(found.gaps) == 1 and found.gaps[0].startswith("k8sx-tui was not running from 20"), found.gaps
    assert "the pod was deleted meanwhile" in found.gaps[0]


def test_lines_the_server_lost_while_no_follower_ran_are_a_gap_in_words(
    stack: StackEnv, kube: KubeService, tmp_path: Path
) -> None:
    """A kwok pod whose log is a file of the test: rotated while the app was closed."""
    clock = Clock()
    pod = log_pod(stack, kube.namespace, tmp_path, name="rotating")
    pod.write([cri(f"record {i}", clock.tick()) for i in range(100)])
    store = RunStore(tmp_path / "runs")
    run = record_run(stack, kube.namespace, "rotating", store=store)
    with following(kube, store):
        wait_for(lambda: archived(store, run).count(b"\n") == 100, timeout=60, what="the first 100 records")
    for _ in range(100):  # records 100-199 come and are rotated away while no follower runs
        clock.tick()
    pod.files["main"].write_text("".join(cri(f"record {i}", clock.tick()) for i in range(200, 300)))

    with following(kube, store):
        wait_for(lambda: archived(store, run).count(b"\n") == 200, timeout=60, what="the records after the gap")
        wait_for(lambda: bool(archive(store, run).gaps), timeout=10, what="the gap recorded")  # type: ignore[union-attr]
    assert archived(store, run).decode().splitlines() == [f"record {i}" for i in (*range(100), *range(200, 300))]
    gaps = archive(store, run).gaps  # type: ignore[union-attr]
    assert len(gaps) == 1 and gaps[0].startswith("k8sx-tui was not running from 2026-11-29 10:00:00 UTC to "), gaps
    assert "lines may be missing there" in gaps[0]
