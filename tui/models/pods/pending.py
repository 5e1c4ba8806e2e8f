"""Why a Pending pod is pending, in a few words for the STATUS column: from the scheduler's PodScheduled condition
and its latest FailedScheduling event.

The scheduler says it as `0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) had untolerated taint
{nvidia.com/gpu: present}. preemption: …`: one count per reason a node was ruled out. The STATUS words name the
reason most worth acting on (a resource the pod asks too much of, then a selector, then a taint); `detail` keeps
every reason. The pod is its JSON as the API server sends it (a dict, or simdjson's lazy object: only `.get` and
iteration are used); everything in it is hostile text, so the words are cut short and made safe to draw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.models.events.event import EventRow
from tui.models.logs.safe_text import safe_text

LONGEST_REASON = 60  # words past this are cut: a STATUS cell is not the place for an essay
LONGEST_MESSAGE = 4000  # a scheduler's message is a few hundred characters; more is read no further

_SUMMARY = re.compile(r"\s*(\d+)/(\d+) nodes are available:?\s*(.*)", re.DOTALL)
_COUNTED = re.compile(r"(\d+) (.+)", re.DOTALL)
_TAINT = re.compile(r"\{([^:{}]+):[^{}]*\}")  # {nvidia.com/gpu: present} -> nvidia.com/gpu
# (words in the scheduler's reason, short words, rank: lower is named first)
_KNOWN: tuple[tuple[str, str, int], ...] = (
    ("didn't match pod's node affinity/selector", "no node matches the selector", 1),
    ("didn't match node selector", "no node matches the selector", 1),
    ("didn't match pod's node affinity", "no node matches the selector", 1),
    ("were unschedulable", "nodes cordoned", 3),
    ("didn't have free ports", "no free host port", 3),
    ("didn't match pod affinity rules", "pod affinity rules", 3),
    ("didn't match pod anti-affinity rules", "pod anti-affinity rules", 3),
    ("didn't satisfy existing pods anti-affinity rules", "pod anti-affinity rules", 3),
    ("didn't match pod topology spread constraints", "topology spread constraints", 3),
    ("volume node affinity conflict", "volume node affinity conflict", 3),
    ("unbound immediate persistentvolumeclaims", "unbound PersistentVolumeClaim", 0),
    ("too many pods", "too many pods", 0),
)


@dataclass(frozen=True)
class Blocker:
    """One reason the scheduler gave, with how many nodes it ruled out (None when it gave no count)."""

    words: str
    nodes: int | None
    rank: int


@dataclass(frozen=True)
class PendingReason:
    short: str  # the STATUS column: "Pending: Insufficient nvidia.com/gpu (0/6 nodes)"
    detail: str  # the scheduler's every reason: "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) …"


def _words(reason: str) -> tuple[str, int]:
    """One of the scheduler's reasons (without its count) in short words, and its rank."""
    reason = " ".join(reason.split())
    lower = reason.lower()
    if lower.startswith("insufficient "):
        return reason, 0
    if "untolerated taint" in lower or "that the pod didn't tolerate" in lower:
        taint = _TAINT.search(reason)
        return ("untolerated taint " + taint.group(1).strip()) if taint else "untolerated taint", 2
    for words, short, rank in _KNOWN:
        if words in lower:
            return short, rank
    return reason.removeprefix("node(s) "), 4


def blockers(message: str) -> tuple[int, int, list[Blocker]] | None:
    """The scheduler's message read: available nodes, all nodes, and each reason; None when it is not one."""
    summary = _SUMMARY.match(message)
    if summary is None:
        return None
    # The reasons end at the first sentence's end ("… {a: b}. preemption: …"); a taint's "{k: v}" has no ". ".
    reasons = summary.group(3).split(". ", 1)[0].strip().rstrip(".")
    found = []
    # A reason may hold ", " itself (older schedulers: "had taint {k: v}, that the pod didn't tolerate"): split only
    # where a count follows.
    for part in re.split(r",\s+(?=\d+ )", reasons):
        if not part.strip():
            continue
        counted = _COUNTED.fullmatch(part.strip())
        words, rank = _words(counted.group(2) if counted else part)
        found.append(Blocker(words, int(counted.group(1)) if counted else None, rank))
    return int(summary.group(1)), int(summary.group(2)), found


def _cut(text: str) -> str:
    text = safe_text(" ".join(text.split()), colours=False)
    return text if len(text) <= LONGEST_REASON else text[: LONGEST_REASON - 1] + "…"


def reason_from_message(message: str) -> PendingReason:
    """The scheduler's message as STATUS words; a message in another shape is shown as it is, cut short."""
    message = message[:LONGEST_MESSAGE]
    read = blockers(message)
    if read is None or not read[2]:
        if read is not None:
            return PendingReason(f"Pending: no node available ({read[0]}/{read[1]} nodes)", safe_text(message, False))
        if "no nodes available" in message.lower():
            return PendingReason("Pending: no nodes in the cluster", safe_text(message, False))
        return PendingReason(f"Pending: {_cut(message)}", safe_text(message, False))
    available, total, found = read
    first = min(found, key=lambda b: (b.rank, -(b.nodes or 0)))
    # The detail is the scheduler's own list of reasons: the short words name one, this keeps every count.
    reasons = " ".join(message.split()).split(". ", 1)[0].rstrip(".")
    return PendingReason(f"Pending: {_cut(first.words)} ({available}/{total} nodes)", safe_text(reasons, False))


def _scheduled_condition(pod: Any) -> Any:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled":
            return condition
    return None


def _newest(events: Iterable[EventRow]) -> EventRow | None:
    failed = [e for e in events if e.reason == "FailedScheduling" and e.message]
    if not failed:
        return None
    return max(failed, key=lambda e: (e.last_seen is not None, e.last_seen or datetime.min))


def pending_reason(pod: Any, events: Iterable[EventRow] = ()) -> PendingReason | None:
    """Why `pod` (its JSON) waits for a node, or None when it does not (scheduled, not Pending, or nothing said).
    `events`: the pod's events, if known; the newest FailedScheduling one is the scheduler's latest attempt."""
    try:
        return _pending_reason(pod, events)
    except (AttributeError, TypeError):  # a pod whose fields are not the shapes the API gives (hostile JSON)
        return None


def _pending_reason(pod: Any, events: Iterable[EventRow]) -> PendingReason | None:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    if status.get("phase") != "Pending" or spec.get("nodeName"):
        return None
    condition = _scheduled_condition(pod)
    if condition is not None and condition.get("status") == "True":
        return None
    if condition is not None and condition.get("reason") == "SchedulingGated":
        return PendingReason("Pending: scheduling gated", _cut(str(condition.get("message") or "scheduling gates")))
    event = _newest(events)
    if event is not None:
        return reason_from_message(event.message)
    if condition is not None and condition.get("reason") == "Unschedulable" and condition.get("message"):
        return reason_from_message(str(condition.get("message")))
    return None


def pending_status(pod: Any, events: Iterable[EventRow] = ()) -> str | None:
    """The STATUS words for a Pending pod the scheduler could not place, or None (keep kubectl's STATUS)."""
    reason = pending_reason(pod, events)
    return reason.short if reason is not None else None
