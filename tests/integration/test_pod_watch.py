"""The pod watch service against the real API server: paged lists, live events, stopping."""

from __future__ import annotations

import threading

from tests.support.stack import StackEnv, kubectl, wait_for
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
    thread = threading.Thread(target=lambda: seen.extend(watcher.events()), daemon=True)
    thread.start()
    try:
        wait_for(lambda: any(isinstance(e, PodsListed) for e in seen), timeout=20, what="the first list")
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=POD.format(name="late"))
        kubectl(stack, "delete", "pod", "late", "-n", namespace, "--grace-period=0", "--force")
        wait_for(lambda: any(isinstance(e, PodRemoved) for e in seen), timeout=20, what="the pod's removal")
    finally:
        watcher.stop()
        # A wait, not a speed: left alone, the watch read blocks until the server ends it (WATCH_SECONDS, 240 s).
        thread.join(timeout=30)
    assert not thread.is_alive(), "stop() must end a blocked watch read (the generator never returned)"
    assert any(isinstance(e, PodUpserted) and e.row.name == "late" for e in seen)
    assert PodRemoved(f"{namespace}/late") in seen
