"""The list + watch shared by the pod list and the Events view (tui.services.kube.list_watch), against a scripted
API server: resume from the last resourceVersion, 410 Gone lists again, failures back off, stop() ends it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tui.services.events.events import EventChanged, EventsBuffer, EventsListed, EventsTrouble, EventWatcher
from tui.services.kube.list_watch import request_list, resource_path


def event(uid: str, version: str) -> dict[str, Any]:
    return {
        "metadata": {"uid": uid, "name": f"e-{uid}", "namespace": "ns", "resourceVersion": version},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Started",
        "message": "hello",
        "type": "Normal",
    }


class Response:
    def __init__(self, body: bytes) -> None:
        self.data = body
        self.released = False

    def stream(self, amt: Any = None, decode_content: bool = False) -> Iterator[bytes]:
        yield from (self.data[i : i + 7] for i in range(0, len(self.data), 7))  # lines cut anywhere

    def release_conn(self) -> None:
        self.released = True

    def shutdown(self) -> None:
        pass


class ScriptedKube:
    """Answers each GET with the next of `answers` (bytes, or an exception to raise); records every query."""

    def __init__(self, answers: list[bytes | Exception]) -> None:
        self.answers = answers
        self.queries: list[dict[str, object]] = []
        self.watcher: EventWatcher | None = None

    def get(self, path: str, query: list[tuple[str, object]] = (), timeout: Any = None) -> Response:  # type: ignore[assignment]
        assert path == "/api/v1/namespaces/ns/events"
        self.queries.append(dict(query))
        if not self.answers:  # the script is done: the test has what it wanted
            assert self.watcher is not None
            self.watcher.stop()
            return Response(b"")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Response(answer)

    def explain(self, exc: BaseException) -> str:
        return f"said: {exc}"


def listed(*events: dict[str, Any], version: str) -> bytes:
    return json.dumps({"metadata": {"resourceVersion": version}, "items": list(events)}).encode()


def watched(*changes: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(json.dumps({"type": kind, "object": obj}).encode() + b"\n" for kind, obj in changes)


def run(kube: ScriptedKube) -> list[object]:
    watcher = EventWatcher(kube, "ns")  # type: ignore[arg-type]
    kube.watcher = watcher
    return list(watcher.updates())


def test_a_watch_resumes_from_the_last_version_seen_and_410_lists_again() -> None:
    kube = ScriptedKube(
        [
            listed(event("a", "5"), version="10"),
            watched(("ADDED", event("b", "11")), ("BOOKMARK", {"metadata": {"resourceVersion": "15"}})),
            watched(("DELETED", event("a", "16")), ("ERROR", {"code": 410, "message": "too old"})),
            listed(event("b", "11"), version="20"),
        ]
    )
    updates = run(kube)
    assert [type(u).__name__ for u in updates] == ["EventsListed", "EventChanged", "EventChanged", "EventsListed"]
    assert isinstance(updates[1], EventChanged) and updates[1].key == "ns/e-b" and updates[1].row is not None
    assert updates[2] == EventChanged("ns/e-a", None)
    versions = [q.get("resourceVersion") for q in kube.queries]
    assert versions == [None, "10", "15", None, "20"]  # the bookmark's version resumed the second watch
    assert all(q["watch"] is True and q["allowWatchBookmarks"] is True for q in kube.queries if "watch" in q)


def test_a_failure_is_said_and_retried_later_and_later_until_a_list_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EventWatcher, "FIRST_RETRY_S", 0.01)
    kube = ScriptedKube([OSError("refused"), OSError("refused"), listed(version="3")])
    updates = run(kube)
    assert updates[:2] == [EventsTrouble("said: refused", 0.01), EventsTrouble("said: refused", 0.02)]
    assert updates[2] == EventsListed([])


def test_the_buffer_wakes_once_a_batch_and_a_list_replaces_what_came_before() -> None:
    buffer = EventsBuffer()
    woken: list[int] = []
    buffer.pump([EventsTrouble("x", 1.0), EventsListed([]), EventChanged("k", None)], lambda: woken.append(1))
    assert woken == [1]
    assert buffer.take() == ([], {"k": None}, None)
    assert buffer.add(EventChanged("j", None)) is True  # the next batch wakes again


def test_a_query_leaves_out_empty_selectors_and_paths_name_the_namespace() -> None:
    kube = ScriptedKube([b"{}"])
    request_list(kube, "/api/v1/namespaces/ns/events", None, limit=5, fieldSelector="", labelSelector=None)  # type: ignore[arg-type]
    assert kube.queries == [{"limit": 5}]
    assert resource_path("pods", "*") == "/api/v1/pods"
    assert resource_path("events", "a/b") == "/api/v1/namespaces/a%2Fb/events"
