"""The pod watch service against the real API server: paged lists, live events, stopping."""

from __future__ import annotations

import threading
import time

from tests.support import StackEnv, kubectl
from tui.models.pods.row import PodEvent, PodRemoved, PodsListed, PodsListing, PodUpserted
from tui.services.kube.kube import KubeService
from tui.services.pods.watch import PodWatcher

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"


def test_a_paged_list_shows_each_page_then_the_whole(stack: StackEnv, namespace: str) -> None:
    for i in range(5):
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=POD.format(name=f"p{i}"))
    watcher = PodWatcher(KubeService(stack.kubeconfig, None, namespace), namespace, page_size=2)
    events = watcher.events()
    pages = [next(events), next(events)]
    listed = next(events)
    watcher.stop()
    assert all(isinstance(page, PodsListing) and len(page.rows) == 2 for page in pages)
    assert isinstance(listed, PodsListed) and listed.resource_version
    assert sorted(row.name for row in listed.rows) == ["p0", "p1", "p2", "p3", "p4"]


def test_watch_reports_changes_and_stop_ends_the_thread_at_once(stack: StackEnv, namespace: str) -> None:
    watcher = PodWatcher(KubeService(stack.kubeconfig, None, namespace), namespace)
    seen: list[PodEvent] = []
    thread = threading.Thread(target=lambda: seen.extend(watcher.events()))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not any(isinstance(e, PodsListed) for e in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=POD.format(name="late"))
        kubectl(stack, "delete", "pod", "late", "-n", namespace, "--grace-period=0", "--force")
        while not any(isinstance(e, PodRemoved) for e in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        started = time.monotonic()
        watcher.stop()
        thread.join(timeout=5)
    assert not thread.is_alive(), "stop() must end a blocked watch read"
    assert time.monotonic() - started < 2
    assert any(isinstance(e, PodUpserted) and e.row.name == "late" for e in seen)
    assert PodRemoved(f"{namespace}/late") in seen
