"""Apply pod manifests (and the claims they mount) with server-side apply, as `kubectl apply --server-side` does,
and remember what was applied so a dead pod can be started again from the very same manifest."""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tui.models.deploy.pod_template import Manifest, name_of
from tui.models.deploy.refusal import explain
from tui.models.xdg import state_dir
from tui.services.kube.kube import KubeService
from tui.services.runs.recorder import RUN_KINDS, RunRecorder
from tui.services.runs.store import RunStore
from tui.services.transfer.claim_mounts import ClaimMountStore

FIELD_MANAGER = "k8sx-tui"
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"
TIMEOUT_S = 30.0
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
# As the API server makes a generateName unique: the name cut to 58 characters, then 5 of these.
_STAND_IN_CHARS = "bcdfghjklmnpqrstvwxz2456789"
_STAND_IN_BASE = 58

log = logging.getLogger(__name__)


class ApplyFailed(Exception):
    """The API refused a manifest (its message verbatim) or could not be reached (in words)."""


@dataclass(frozen=True)
class Applied:
    kind: str
    name: str
    created: bool  # False: an object of that name was there and was updated
    unrecorded: str = ""  # why its run was not recorded (said beside it: its logs and results are not kept)

    def __str__(self) -> str:
        said = f"{self.kind.lower()}/{self.name} {'created' if self.created else 'configured'}"
        return f"{said} (not recorded as a run: {self.unrecorded})" if self.unrecorded else said


class AppliedManifests:
    """The manifest each pod was last applied with, one file per pod under the state directory: pods are
    immutable, so "restart from the same YAML" deletes the dead pod and applies this again."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or state_dir() / "applied"

    def _path(self, namespace: str, name: str) -> Path:
        return self.root / _SAFE_NAME.sub("_", namespace) / f"{_SAFE_NAME.sub('_', name)}.yaml"

    def remember(self, namespace: str, manifest: Manifest) -> None:
        path = self._path(namespace, name_of(manifest))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(yaml.safe_dump(manifest, sort_keys=False))
        temporary.replace(path)

    def recall(self, namespace: str, name: str) -> Manifest | None:
        try:
            loaded = yaml.safe_load(self._path(namespace, name).read_text())
        except (OSError, yaml.YAMLError):
            return None
        return loaded if isinstance(loaded, dict) else None


def api_status(exc: ApiException) -> dict[str, Any] | None:
    """The Status object a refusal carries (message, reason, details.causes), if its body is one."""
    try:
        body: Any = json.loads(exc.body or "")
    except (TypeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def api_message(exc: ApiException) -> str:
    """The API server's own message for a refused request (what kubectl prints after `Error from server`)."""
    status = api_status(exc)
    if status and status.get("message"):
        return str(status["message"])
    return f"HTTP {exc.status} {exc.reason}"


class PodApplier:
    def __init__(
        self,
        kube: KubeService,
        store: AppliedManifests | None = None,
        mounts: ClaimMountStore | None = None,
        recorder: RunRecorder | None = None,
        project_root: Path | None = None,
    ) -> None:
        self.kube = kube
        self.store = store or AppliedManifests()
        self.mounts = mounts or ClaimMountStore()
        self.recorder = recorder or RunRecorder(RunStore(), kube)
        self.project_root = project_root  # the project whose code a run records; None: the working directory

    def _core(self) -> k8s.CoreV1Api:
        return k8s.CoreV1Api(self.kube.api_client())

    def apply(self, namespace: str, manifests: list[Manifest]) -> list[Applied]:
        """Claims first (a pod waits for its claim), then pods; stops at the first refusal, naming the object."""
        for manifest in manifests:
            theirs = (manifest.get("metadata") or {}).get("namespace")
            if theirs and theirs != namespace:
                raise ApplyFailed(
                    f"{manifest.get('kind')} {name_of(manifest)} says namespace {theirs!r} but the app is in "
                    f"{namespace!r}: remove metadata.namespace, or switch namespace (n on the Pods screen)"
                )
        ordered = sorted(manifests, key=lambda m: m.get("kind") != "PersistentVolumeClaim")
        done: list[Applied] = []
        started: list[Manifest] = []  # pods and Jobs created (not an unchanged one configured again): each a run
        try:
            for manifest in ordered:
                done.append(self._apply_one(namespace, manifest))
                if done[-1].created:
                    started.append(_with_api_version(manifest))
                if manifest.get("kind") == "Pod":
                    self.store.remember(namespace, manifest)
                pod = _pod_of(manifest)
                if pod is not None:
                    with contextlib.suppress(OSError):  # only a default for later pulls: never worth failing an apply
                        self.mounts.remember(namespace, pod)
        finally:  # also those started before a later one was refused: they run
            unrecorded = self._record(namespace, started)
        if unrecorded:
            done = [replace(a, unrecorded=unrecorded) if a.created and a.kind in RUN_KINDS else a for a in done]
        return done

    def _record(self, namespace: str, started: list[Manifest]) -> str:
        """The runs of what was started; a recording that fails is logged and said beside what was applied (why, in
        words), never the apply's failure."""
        try:
            self.recorder.record_applied(namespace, started, self.project_root or Path.cwd())
        except Exception as exc:
            log.exception("the run of %s was not recorded", ", ".join(name_of(m) for m in started) or "nothing")
            if isinstance(exc, OSError) and exc.strerror:  # without the `[Errno 17]`
                return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
            return str(exc) or type(exc).__name__
        return ""

    def check(self, namespace: str, manifests: list[Manifest]) -> None:
        """ApplyFailed with what `apply` would be refused for, changing nothing (dryRun=All): before something is
        deleted to make room for these. Claims are applied; pods and Jobs under a name of their own like
        generateName's (those of their name may still be there, about to go, and may not be changed). The same
        server-side apply as `apply`, so the same checks and words (a create would pass the body through the
        client's models first, which refuse a quantity written as a number: `nvidia.com/gpu: 1`). A quota the
        objects still there use up is not held against them: once they are gone it may well fit."""
        for manifest in sorted(manifests, key=lambda m: m.get("kind") != "PersistentVolumeClaim"):
            kind, name = str(manifest.get("kind")), name_of(manifest)
            if kind == "PersistentVolumeClaim":
                self._apply_one(namespace, manifest, dry_run=True)
                continue
            stand_in = dict(manifest, metadata=dict(manifest.get("metadata") or {}, name=_stand_in_name(name)))
            try:
                _drain(self._send(namespace, stand_in, dry_run=True))
            except ApiException as exc:
                if exc.status == 403 and "exceeded quota" in api_message(exc):
                    continue
                raise ApplyFailed(self._refusal(namespace, manifest, exc)) from exc
            except Exception as exc:
                raise ApplyFailed(f"cannot check {kind.lower()}/{name}: {self.kube.explain(exc)}") from exc

    def _apply_one(self, namespace: str, manifest: Manifest, dry_run: bool = False) -> Applied:
        kind, name = str(manifest.get("kind")), name_of(manifest)
        try:
            response = self._send(namespace, manifest, dry_run)
        except ApiException as exc:
            raise ApplyFailed(self._refusal(namespace, manifest, exc)) from exc
        except Exception as exc:
            raise ApplyFailed(f"cannot apply {kind.lower()}/{name}: {self.kube.explain(exc)}") from exc
        _drain(response)
        return Applied(kind, name, created=response.status == 201)

    def _send(self, namespace: str, manifest: Manifest, dry_run: bool) -> Any:
        """The server-side apply of one manifest; the undrained response (ApiException when refused)."""
        core = self._core()
        call = {
            "Pod": core.patch_namespaced_pod,
            "PersistentVolumeClaim": core.patch_namespaced_persistent_volume_claim,
            "Job": k8s.BatchV1Api(self.kube.api_client()).patch_namespaced_job,  # a fan-out as an Indexed Job
        }[str(manifest.get("kind"))]
        extra: dict[str, Any] = {"dry_run": "All"} if dry_run else {}
        return call(
            name_of(manifest),
            namespace,
            _with_api_version(manifest),
            field_manager=FIELD_MANAGER,
            force=True,  # the app's fields win over an earlier kubectl apply of the same file
            **extra,
            _content_type=APPLY_CONTENT_TYPE,
            _preload_content=False,
            _request_timeout=TIMEOUT_S,
        )

    def _refusal(self, namespace: str, manifest: Manifest, exc: ApiException) -> str:
        kind, name = str(manifest.get("kind")), name_of(manifest)
        message = api_message(exc)
        if exc.status == 404 and f'namespaces "{namespace}" not found' in message:
            return (
                f"namespace {namespace} does not exist ({message}): create it (kubectl create namespace "
                f"{namespace}) or switch namespace (n on the Pods screen)"
            )
        if exc.status == 401:
            return self.kube.explain(exc)
        if kind == "Pod" and "pod updates may not change fields" in message:
            message += f"\n→ a pod cannot be changed once created: delete pod {name} first, or give this one a new name"
        said = explain(api_status(exc), message, manifest)  # [] for that one: its cause is a forbidden change
        if not said:
            return f"{kind.lower()}/{name} refused: {message}"
        log.info("%s/%s refused: %s", kind.lower(), name, message)
        # The API's words stay, after ours: they are what a search or a colleague knows.
        return f"{kind.lower()}/{name} refused: {'; '.join(said)}\n(the API server said: {message})"

    def existing(self, namespace: str, names: list[str]) -> list[str]:
        """Which of these pods are there already (pods are immutable: applying a changed one is refused)."""
        found: list[str] = []
        for name in names:
            try:
                self._core().read_namespaced_pod(name, namespace, _request_timeout=TIMEOUT_S)
            except ApiException as exc:
                if exc.status == 404:
                    continue
                raise ApplyFailed(f"cannot read pod {name}: {api_message(exc)}") from exc
            except Exception as exc:
                raise ApplyFailed(f"cannot read pod {name}: {self.kube.explain(exc)}") from exc
            found.append(name)
        return found


def _stand_in_name(name: str) -> str:
    return f"{name}-"[:_STAND_IN_BASE] + "".join(random.choices(_STAND_IN_CHARS, k=5))


def _with_api_version(manifest: Manifest) -> Manifest:
    kind = manifest.get("kind")
    return dict(manifest, apiVersion=manifest.get("apiVersion") or ("batch/v1" if kind == "Job" else "v1"))


def _drain(response: Any) -> None:
    """Read to the end, then hand the connection back: one handed back half-read poisons the next request."""
    try:
        _ = response.data
    finally:
        response.release_conn()


def _pod_of(manifest: Manifest) -> Manifest | None:
    """The pod a manifest runs: itself, or a Job's pod template (named after the Job)."""
    if manifest.get("kind") == "Pod":
        return manifest
    if manifest.get("kind") == "Job":
        template = ((manifest.get("spec") or {}).get("template")) or {}
        return {"metadata": {"name": name_of(manifest)}, "spec": template.get("spec") or {}}
    return None
