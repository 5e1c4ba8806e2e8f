"""Pull results out of a PersistentVolumeClaim whose pod can no longer be exec'd into: it finished (Succeeded or
Failed), was evicted, or was deleted. A short-lived helper pod mounts the same claim, read-only and at the same path,
wherever the volume can be used (the scheduler puts it on the volume's node); the files come out through the same
tar over exec as from a live pod (PodFileTransfer: progress, safe extraction, sha256 check, atomic result); and the
helper is deleted afterwards, also when the copy fails or is cancelled.

The helper needs an image with sh and tar (and sha256sum for the checksums): by default the dead pod's own image,
which wrote the files, with its node selector, tolerations and pull secrets, so it may run where the pod ran.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.transfer.progress import TransferProgress
from tui.services.kube.kube import KubeService
from tui.services.runs.result_recorder import ResultRecorder, run_name
from tui.services.transfer.pull import DestinationExists, PodFileTransfer, PullSummary, TransferFailed, pull_source

Json = dict[str, Any]
REQUEST_TIMEOUT_S = 15.0
START_TIMEOUT_S = 180.0
POLL_S = 0.5
HELPER_CONTAINER = "pull"
HELPER_DEADLINE_S = 3600  # a helper this app forgot (it crashed meanwhile) ends by itself after an hour
ROLE_LABEL = "k8sx.dev/role"
ROLE = "claim-pull"
CLAIM_ANNOTATION = "k8sx.dev/claim"
# PID 1 of the helper: waits for the copy's execs, and ends at once when the pod is deleted.
KEEP_ALIVE = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"
# Waiting reasons after which the helper will not start by itself.
HOPELESS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "CrashLoopBackOff",
    }
)


class ClaimPullFailed(TransferFailed):
    """In words: why the helper could not start or the copy failed; no helper pod is left behind."""


@dataclass(frozen=True)
class HelperSpec:
    """What the helper pod mounts and where it may run."""

    claim: str
    image: str
    mount_path: str = "/persistent"
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: Sequence[Mapping[str, Any]] = ()
    image_pull_secrets: Sequence[str] = ()


@dataclass(frozen=True)
class ClaimMount:
    """A claim a pod's container mounts, and where."""

    volume: str
    claim: str
    container: str
    mount_path: str


@dataclass(frozen=True)
class ClaimPullSummary:
    transfer: PullSummary
    helper: str  # the helper pod's name (deleted by now)
    node: str  # where it ran


def claim_mounts(pod: Json) -> list[ClaimMount]:
    """Every claim a pod's containers mount, in the order of its containers (init containers last: a results path
    is where the main containers have the claim) and their mounts."""
    spec: Json = pod.get("spec") or {}
    claims = {
        str(volume.get("name")): str(volume["persistentVolumeClaim"].get("claimName", ""))
        for volume in spec.get("volumes") or []
        if isinstance(volume.get("persistentVolumeClaim"), dict)
    }
    found: list[ClaimMount] = []
    for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
        for mount in container.get("volumeMounts") or []:
            volume = str(mount.get("name", ""))
            claim = claims.get(volume)
            if claim:
                found.append(ClaimMount(volume, claim, str(container.get("name", "")), str(mount.get("mountPath", ""))))
    return found


DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def container_with(pod: Json, remote_path: str) -> str | None:
    """The container to exec into for remote_path: the one that mounts the claim it lies on (a sidecar listed
    first may not have it, or tar); else the pod's default container as kubectl picks it (its annotation, else
    the first: the API refuses an exec without a container into a pod with several)."""
    names = [str(c.get("name", "")) for c in (pod.get("spec") or {}).get("containers") or []]
    under = [m for m in claim_mounts(pod) if m.container in names and _is_under(remote_path, m.mount_path)]
    if under:
        return max(under, key=lambda m: len(m.mount_path)).container
    default = str(((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER) or "")
    return default if default in names else names[0] if names else None


def helper_spec_from_pod(pod: Json, remote_path: str | None = None) -> HelperSpec:
    """The helper for a (dead) pod: the claim mounted where `remote_path` lies (else the pod's first claim), at the
    same path, with the image of the container that mounted it and the pod's placement."""
    mounts = claim_mounts(pod)
    name = (pod.get("metadata") or {}).get("name", "?")
    if not mounts:
        raise ClaimPullFailed(f"pod {name} mounts no PersistentVolumeClaim: nothing outlives it")
    chosen = mounts[0]
    if remote_path is not None:
        under = [m for m in mounts if _is_under(remote_path, m.mount_path)]
        if not under:
            listed = ", ".join(f"{m.mount_path} ({m.claim})" for m in mounts)
            raise ClaimPullFailed(f"{remote_path} is on no claim of pod {name}; its claims are mounted at {listed}")
        chosen = max(under, key=lambda m: len(m.mount_path))
    spec: Json = pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    image = next(str(c.get("image", "")) for c in containers if c.get("name") == chosen.container)
    return HelperSpec(
        claim=chosen.claim,
        image=image,
        mount_path=chosen.mount_path,
        node_selector=dict(spec.get("nodeSelector") or {}),
        tolerations=tuple(spec.get("tolerations") or ()),
        image_pull_secrets=tuple(str(s["name"]) for s in spec.get("imagePullSecrets") or [] if s.get("name")),
    )


def helper_name(claim: str) -> str:
    stem = claim[:40].rstrip("-.")
    return f"k8sx-pull-{stem}-{uuid.uuid4().hex[:5]}"


def helper_manifest(spec: HelperSpec, name: str) -> Json:
    """A pod that only holds the claim mounted read-only until it is deleted (or its deadline passes)."""
    pod_spec: Json = {
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 1,
        "activeDeadlineSeconds": HELPER_DEADLINE_S,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "containers": [
            {
                "name": HELPER_CONTAINER,
                "image": spec.image,
                "command": ["sh", "-c", KEEP_ALIVE],
                "volumeMounts": [{"name": "results", "mountPath": spec.mount_path, "readOnly": True}],
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            }
        ],
        "volumes": [{"name": "results", "persistentVolumeClaim": {"claimName": spec.claim, "readOnly": True}}],
    }
    if spec.node_selector:
        pod_spec["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        pod_spec["tolerations"] = [dict(t) for t in spec.tolerations]
    if spec.image_pull_secrets:
        pod_spec["imagePullSecrets"] = [{"name": secret} for secret in spec.image_pull_secrets]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"app.kubernetes.io/managed-by": "k8sx-tui", ROLE_LABEL: ROLE},
            "annotations": {CLAIM_ANNOTATION: spec.claim},
        },
        "spec": pod_spec,
    }


def start_problem(pod: Json) -> tuple[str | None, bool]:
    """Why a helper is not Running yet, and whether waiting longer can help: (None, True) once it runs."""
    status: Json = pod.get("status") or {}
    phase = status.get("phase")
    if phase == "Running":
        return None, True
    for container in status.get("containerStatuses") or []:
        state: Json = container.get("state") or {}
        waiting: Json = state.get("waiting") or {}
        reason = str(waiting.get("reason") or "")
        if reason in HOPELESS:
            return f"{reason}: {waiting.get('message') or reason}", False
        terminated: Json = state.get("terminated") or {}
        if terminated:
            said = terminated.get("message") or terminated.get("reason") or ""
            return f"the helper's container ended (exit code {terminated.get('exitCode')}) {said}".rstrip(), False
    if phase in ("Succeeded", "Failed"):
        return f"the helper pod {str(phase).lower()}: {status.get('message') or status.get('reason') or ''}", False
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return f"not scheduled: {condition.get('message') or condition.get('reason')}", True
    waiting_reasons = [
        str((c.get("state") or {}).get("waiting", {}).get("reason") or "")
        for c in status.get("containerStatuses") or []
    ]
    return f"{phase or 'Pending'} {' '.join(r for r in waiting_reasons if r)}".strip(), True


class ClaimPull:
    """Copy files from a claim through a helper pod; blocking (run it in a thread worker)."""

    def __init__(
        self, kube: KubeService, transfer: PodFileTransfer | None = None, results: ResultRecorder | None = None
    ) -> None:
        self.kube = kube
        self.transfer = transfer or PodFileTransfer(kube)
        self.results = results or ResultRecorder()  # each pull of a run's pod is recorded on the run

    def record_result(self, namespace: str, run: str, summary: PullSummary) -> PullSummary:
        """`summary` recorded on the newest run named `run` (a pod's or its Job's), if the app started one; a
        recording that failed is said in its note (the run would show its results as never pulled)."""
        recorded = self.results.record(self.kube.context or "", namespace, run, summary)
        if isinstance(recorded, str):
            return dataclasses.replace(summary, note="; ".join(filter(None, [summary.note, recorded])))
        return summary

    def _core(self) -> k8s.CoreV1Api:
        return k8s.CoreV1Api(self.kube.api_client())

    def _read_pod(self, namespace: str, name: str) -> Json:
        response: Any = self._core().read_namespaced_pod(
            name, namespace, _preload_content=False, _request_timeout=REQUEST_TIMEOUT_S
        )
        try:
            pod: Json = json.loads(response.data)
        finally:
            response.release_conn()
        return pod

    def spec_for_pod(self, namespace: str, pod: str, remote_path: str | None = None) -> HelperSpec:
        """The helper for a pod that still exists (finished or failed); a deleted one must be described by hand."""
        try:
            found = self._read_pod(namespace, pod)
        except ApiException as exc:
            if exc.status == 404:
                raise ClaimPullFailed(
                    f"pod {namespace}/{pod} is gone; name its claim and an image with sh and tar instead"
                ) from exc
            raise ClaimPullFailed(f"cannot read pod {namespace}/{pod}: {self.kube.explain(exc)}") from exc
        return helper_spec_from_pod(found, remote_path)

    def start_helper(
        self,
        namespace: str,
        spec: HelperSpec,
        timeout: float = START_TIMEOUT_S,
        cancel: threading.Event | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> tuple[str, str]:
        """Create the helper and wait until it runs; returns (pod name, node). On failure it is deleted again."""
        self._check_claim(namespace, spec.claim)
        name = helper_name(spec.claim)
        body: Any = helper_manifest(spec, name)  # the client sends a plain manifest as it is
        try:
            self._core().create_namespaced_pod(namespace, body, _request_timeout=REQUEST_TIMEOUT_S)
        except ApiException as exc:
            raise ClaimPullFailed(f"cannot create the helper pod: {self.kube.explain(exc)}") from exc
        try:
            return name, self._wait_running(namespace, name, timeout, cancel, on_wait)
        except BaseException:
            self.delete_helper(namespace, name)
            raise

    def _check_claim(self, namespace: str, claim: str) -> None:
        try:
            found: Any = self._core().read_namespaced_persistent_volume_claim(
                claim, namespace, _request_timeout=REQUEST_TIMEOUT_S
            )
        except ApiException as exc:
            if exc.status == 404:
                raise ClaimPullFailed(f"claim {claim} not found in namespace {namespace}") from exc
            raise ClaimPullFailed(f"cannot read claim {claim}: {self.kube.explain(exc)}") from exc
        if found.metadata and found.metadata.deletion_timestamp:
            raise ClaimPullFailed(f"claim {claim} is being deleted")
        if found.status and found.status.phase == "Lost":
            raise ClaimPullFailed(f"claim {claim} lost its volume")

    def _wait_running(
        self,
        namespace: str,
        name: str,
        timeout: float,
        cancel: threading.Event | None,
        on_wait: Callable[[str], None] | None,
    ) -> str:
        deadline = time.monotonic() + timeout
        why = "not created yet"
        while True:
            if cancel is not None and cancel.is_set():
                raise ClaimPullFailed("cancelled; nothing was kept")
            try:
                pod = self._read_pod(namespace, name)
            except ApiException as exc:
                raise ClaimPullFailed(f"the helper pod {name} vanished: {self.kube.explain(exc)}") from exc
            why_now, hopeful = start_problem(pod)
            if why_now is None:
                return str((pod.get("spec") or {}).get("nodeName") or "")
            if not hopeful:
                raise ClaimPullFailed(f"the helper pod could not start: {why_now}")
            if why_now != why and on_wait is not None:
                on_wait(why_now)
            why = why_now
            if time.monotonic() > deadline:
                raise ClaimPullFailed(f"the helper pod did not start within {timeout:.0f} s: {why}")
            time.sleep(POLL_S)

    def delete_helper(self, namespace: str, name: str) -> None:
        """Delete a helper at once (it only reads); one already gone is fine."""
        try:
            self._core().delete_namespaced_pod(
                name, namespace, grace_period_seconds=0, _request_timeout=REQUEST_TIMEOUT_S
            )
        except ApiException as exc:
            if exc.status != 404:
                raise ClaimPullFailed(f"cannot delete the helper pod {name}: {self.kube.explain(exc)}") from exc

    def pull(
        self,
        namespace: str,
        spec: HelperSpec,
        remote_path: str,
        destination: Path,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        timeout: float = START_TIMEOUT_S,
        on_wait: Callable[[str], None] | None = None,
        resume: bool = False,
        source: str | None = None,
    ) -> ClaimPullSummary:
        """Copy remote_path (on the claim, as the dead pod saw it: under spec.mount_path) to destination.
        source names the pull for resuming (default: the claim and the path, whichever helper serves it)."""
        if not _is_under(remote_path, spec.mount_path):
            raise ClaimPullFailed(f"{remote_path} is not on claim {spec.claim}, which is mounted at {spec.mount_path}")
        if destination.expanduser().absolute().exists() and not overwrite:
            raise DestinationExists(destination.expanduser().absolute())  # before a helper starts for nothing
        name, node = self.start_helper(namespace, spec, timeout, cancel, on_wait)
        try:
            summary = self.transfer.pull(
                namespace, name, remote_path, destination, HELPER_CONTAINER, overwrite, progress, cancel,
                resume=resume, source=source or f"{namespace}/claim {spec.claim}:{posixpath.normpath(remote_path)}",
            )  # fmt: skip
        finally:
            self.delete_helper(namespace, name)
        return ClaimPullSummary(summary, name, node)

    def pull_results(
        self,
        namespace: str,
        pod: str,
        remote_path: str,
        destination: Path,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        resume: bool = False,
    ) -> PullSummary:
        """What `r` does: exec into the pod while it runs; once it has finished (or none of its containers runs),
        through a helper pod on the claim it mounted at remote_path. Resumable under the pod's name either way.
        Recorded on the pod's run (its Job's for a Job's pod) when the app started it."""
        source = pull_source(namespace, pod, remote_path)
        try:
            found = self._read_pod(namespace, pod)
        except ApiException as exc:
            raise ClaimPullFailed(f"cannot read pod {namespace}/{pod}: {self.kube.explain(exc)}") from exc
        if not is_finished(found):
            container = container_with(found, remote_path)
            pulled = self.transfer.pull(
                namespace, pod, remote_path, destination, container, overwrite, progress, cancel, resume=resume
            )
            return self.record_result(namespace, run_name(found), pulled)
        state = finished_state(found)
        if not claim_mounts(found):
            raise ClaimPullFailed(
                f"pod {pod} {state} and mounts no PersistentVolumeClaim: its results are gone with it "
                "(only files on a claim outlive a pod; give the pod one, e.g. at /persistent)"
            )
        try:
            spec = helper_spec_from_pod(found, remote_path)
        except ClaimPullFailed as exc:
            raise ClaimPullFailed(f"pod {pod} {state}, so only its claims can be read: {exc}") from None
        pulled = self.pull_noted(
            namespace, spec, remote_path, destination, f"pod {pod} {state}", overwrite, progress, cancel,
            resume=resume, source=source,
        )  # fmt: skip
        return self.record_result(namespace, run_name(found), pulled)

    def pull_noted(
        self,
        namespace: str,
        spec: HelperSpec,
        remote_path: str,
        destination: Path,
        why_helper: str,
        overwrite: bool = False,
        progress: Callable[[TransferProgress], None] | None = None,
        cancel: threading.Event | None = None,
        resume: bool = False,
        source: str | None = None,
    ) -> PullSummary:
        """`pull` with what the helper waits for said in the progress (after `why_helper`, "pod x has completed"),
        and the claim, helper and node in the summary's note."""
        started = time.monotonic()

        def waiting(why: str) -> None:
            if progress is not None:
                note = f"{why_helper}: starting a helper pod on claim {spec.claim} ({why})"
                progress(TransferProgress(0, None, 0, None, note, time.monotonic() - started))

        waiting("creating it")
        pulled = self.pull(
            namespace, spec, remote_path, destination, overwrite, progress, cancel,
            on_wait=waiting, resume=resume, source=source,
        )  # fmt: skip
        note = f"from claim {spec.claim} through helper pod {pulled.helper} on {pulled.node or '?'} (deleted)"
        return dataclasses.replace(pulled.transfer, note=note)


def is_finished(pod: Json) -> bool:
    """Nothing can be exec'd into it any more: Succeeded or Failed, or every container has stopped."""
    status: Json = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return True
    containers = status.get("containerStatuses") or []
    return bool(containers) and not any("running" in (c.get("state") or {}) for c in containers)


def finished_state(pod: Json) -> str:
    phase = (pod.get("status") or {}).get("phase")
    return {"Succeeded": "has completed", "Failed": "has failed"}.get(str(phase), "has no running container")


def _is_under(path: str, mount_path: str) -> bool:
    path, mount_path = posixpath.normpath(path), posixpath.normpath(mount_path)
    return path == mount_path or path.startswith(mount_path.rstrip("/") + "/")
