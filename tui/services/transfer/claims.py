"""The PersistentVolumeClaims of a namespace, as `kubectl get pvc` shows them, with the pods that mount each; and
how `r` reads one: through a pod that still mounts it, else through a helper pod placed as the app's last pod on it
was (claims.json), else through a helper with an image the user names."""

from __future__ import annotations

import dataclasses
import json
import posixpath
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kubernetes import client as k8s

from tui.models.transfer.progress import TransferProgress, TransferSummary
from tui.services.kube.kube import ALL_NAMESPACES, LIST_TIMEOUT_S, KubeService
from tui.services.transfer.claim_mounts import RecordedMount
from tui.services.transfer.claim_pull import (
    ROLE,
    ROLE_LABEL,
    ClaimPull,
    HelperSpec,
    _is_under,
    claim_mounts,
    is_finished,
)
from tui.services.transfer.pull import pull_source

Json = dict[str, Any]
ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
# A claim whose pods are all gone is mounted here by the helper when nobody remembers where its pods had it.
UNKNOWN_MOUNT = "/claim"
TEMPLATE_MOUNT = "/persistent"  # the Deploy template's default: where a results path most likely lies


@dataclass(frozen=True)
class ClaimUser:
    """A pod that mounts the claim, where, and whether it can still be exec'd into."""

    pod: str
    mount_path: str
    finished: bool
    phase: str


@dataclass(frozen=True)
class ClaimRow:
    namespace: str
    name: str
    status: str  # Bound, Pending, Lost; Terminating while being deleted
    volume: str
    capacity: str
    access_modes: str  # kubectl's short forms: RWO,RWX
    storage_class: str
    created: datetime | None
    users: tuple[ClaimUser, ...]

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def used_by(self) -> str:
        return ", ".join(user.pod for user in self.users) or "unused"


def claim_row(claim: Json, pods: Sequence[Json]) -> ClaimRow:
    """One row from a claim and the namespace's pods (as the API returns them)."""
    meta: Json = claim.get("metadata") or {}
    spec: Json = claim.get("spec") or {}
    status: Json = claim.get("status") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    users: list[ClaimUser] = []
    for pod in pods:
        pod_meta: Json = pod.get("metadata") or {}
        if pod_meta.get("namespace", namespace) != namespace:
            continue
        paths = [m.mount_path for m in claim_mounts(pod) if m.claim == name]
        if paths and (pod_meta.get("labels") or {}).get(ROLE_LABEL) != ROLE:  # a helper of ours is no user
            phase = str((pod.get("status") or {}).get("phase") or "Pending")
            users.append(ClaimUser(str(pod_meta.get("name", "")), paths[0], is_finished(pod), phase))
    modes = status.get("accessModes") or spec.get("accessModes") or []
    return ClaimRow(
        namespace=namespace,
        name=name,
        status="Terminating" if meta.get("deletionTimestamp") else str(status.get("phase") or "Pending"),
        volume=str(spec.get("volumeName") or ""),
        capacity=str((status.get("capacity") or {}).get("storage") or ""),
        access_modes=",".join(ACCESS_MODES.get(str(m), str(m)) for m in modes),
        storage_class=str(spec.get("storageClassName") or ""),
        created=_timestamp(meta.get("creationTimestamp")),
        users=tuple(sorted(users, key=lambda u: (_rank(u), u.pod))),  # the pod that serves `r` first
    )


def _rank(user: ClaimUser) -> int:
    """A running pod is exec'd into; a finished one lends its spec to a helper; one that never ran serves nothing."""
    return 0 if user.phase == "Running" and not user.finished else 1 if user.finished else 2


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


class ClaimList:
    """Lists claims and the pods that mount them: two list calls, blocking (run it in a thread worker)."""

    def __init__(self, kube: KubeService) -> None:
        self.kube = kube

    def _items(self, kind: str, namespace: str) -> list[Json]:
        core = k8s.CoreV1Api(self.kube.api_client())
        options: Any = {"_preload_content": False, "_request_timeout": LIST_TIMEOUT_S}
        if namespace == ALL_NAMESPACES:
            call = getattr(core, f"list_{kind}_for_all_namespaces")
            response = call(**options)
        else:
            response = getattr(core, f"list_namespaced_{kind}")(namespace, **options)
        try:
            items: list[Json] = json.loads(response.data).get("items") or []
        finally:
            response.release_conn()
        return items

    def rows(self, namespace: str) -> list[ClaimRow]:
        claims = self._items("persistent_volume_claim", namespace)
        pods = self._items("pod", namespace) if claims else []
        return sorted((claim_row(claim, pods) for claim in claims), key=lambda row: row.key)


# ---------------------------------------------------------------- how `r` reads a claim


@dataclass(frozen=True)
class ClaimPullPlan:
    """Through which pod `r` reads the claim, and what the form starts with.

    `pod`: a pod that still mounts it (exec'd into while it runs, else its own helper). Otherwise `spec` is the
    helper's (its image may be typed over in the form); `remembered` says whether the mount path is the one the app's
    pod used (paths are then as that pod saw them) or a guess (paths are then inside the claim: `/out`)."""

    claim: ClaimRow
    remote: str  # the form's default
    pod: str = ""
    spec: HelperSpec | None = None
    remembered: bool = False
    recorded_pod: str = ""

    @property
    def mount_path(self) -> str:
        if self.pod:
            return next(user.mount_path for user in self.claim.users if user.pod == self.pod)
        return self.spec.mount_path if self.spec else UNKNOWN_MOUNT

    @property
    def in_claim(self) -> bool:
        """The form asks for a path inside the claim (nobody knows where its pods had it)."""
        return not self.pod and not self.remembered

    def remote_path(self, typed: str) -> str:
        """The path to pull, as the helper (or the user pod) sees it."""
        if self.in_claim:
            return posixpath.normpath(posixpath.join(UNKNOWN_MOUNT, typed.lstrip("/")))
        return posixpath.normpath(typed)

    def source(self, typed: str) -> str:
        """The name a cut pull is resumed under: the pod's (as `r` on that pod does), else the claim and the path
        inside it, whichever helper serves it."""
        if self.pod:
            return pull_source(self.claim.namespace, self.pod, self.remote_path(typed))
        inside = posixpath.relpath(self.remote_path(typed), self.mount_path)
        return f"{self.claim.namespace}/claim {self.claim.name}:/{'' if inside == '.' else inside}"


class ClaimUnreadable(Exception):
    """Why this claim cannot be pulled from (Pending, Lost, being deleted), in words."""


def plan_pull(claim: ClaimRow, results_path: str, recorded: RecordedMount | None, image: str | None) -> ClaimPullPlan:
    """`results_path`: the project's or settings' results folder; `image`: for a helper nobody recorded (the last
    pushed image, which has sh and tar if the experiment ran in it)."""
    if claim.status == "Pending":
        raise ClaimUnreadable(
            f"claim {claim.name} is Pending: no volume is bound to it yet, so nothing was written to it"
        )
    if claim.status == "Lost":
        raise ClaimUnreadable(f"claim {claim.name} is Lost: its volume {claim.volume or '?'} is gone")
    if claim.status == "Terminating":
        raise ClaimUnreadable(f"claim {claim.name} is being deleted")
    user = next((u for u in claim.users if _rank(u) < 2), None)  # a Pending pod cannot be read through
    if user is not None:
        return ClaimPullPlan(claim, _under(results_path, user.mount_path), pod=user.pod)
    if recorded is not None:
        remote = _under(results_path, recorded.spec.mount_path)
        return ClaimPullPlan(claim, remote, spec=recorded.spec, remembered=True, recorded_pod=recorded.pod)
    inside = posixpath.relpath(results_path, TEMPLATE_MOUNT) if is_under(results_path, TEMPLATE_MOUNT) else "."
    spec = HelperSpec(
        claim=claim.name,
        image=image or "",
        mount_path=UNKNOWN_MOUNT,
        tolerations=({"operator": "Exists"},),  # it goes where the volume is; a node's taints must not stop it
    )
    return ClaimPullPlan(claim, "/" if inside == "." else f"/{inside}", spec=spec)


def is_under(path: str, folder: str) -> bool:
    """The one rule of the helper for "this path is on that mount"."""
    return _is_under(path, folder)


def _under(path: str, mount_path: str) -> str:
    """The results path when it lies on the claim, else the claim's mount path itself."""
    return posixpath.normpath(path) if is_under(path, mount_path) else mount_path


def pull_claim(
    pulls: ClaimPull,
    plan: ClaimPullPlan,
    typed: str,
    image: str,
    destination: Path,
    overwrite: bool = False,
    progress: Callable[[TransferProgress], None] | None = None,
    cancel: threading.Event | None = None,
    resume: bool = False,
) -> TransferSummary:
    """What `r` on a claim does: through the pod that mounts it (exec while it runs, else its helper), or a helper
    pod with `image` and the plan's placement; the done line says which. Blocking. Recorded on the run of the pod
    read through, else of the app's last pod on the claim (when the app started it)."""
    claim = plan.claim
    remote = plan.remote_path(typed)
    if plan.pod:
        return pulls.pull_results(
            claim.namespace, plan.pod, remote, destination, overwrite, progress, cancel, resume=resume
        )
    assert plan.spec is not None
    spec = dataclasses.replace(plan.spec, image=image.strip())
    if not spec.image:
        raise ClaimUnreadable("name an image with sh and tar for the helper pod")
    why = f"no pod mounts claim {claim.name} now (helper image {spec.image})"
    summary = pulls.pull_noted(
        claim.namespace, spec, remote, destination, why, overwrite, progress, cancel, resume, plan.source(typed)
    )
    return pulls.record_result(claim.namespace, plan.recorded_pod, summary) if plan.recorded_pod else summary
