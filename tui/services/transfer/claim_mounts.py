"""Where the app's pods mounted their claims, kept in $XDG_STATE_HOME/k8sx-tui/claims.json: once a pod is deleted
its spec is gone, and with it the path its results were written under and the image and placement a helper pod
needs to read them. Recorded by every apply of the app (PodApplier), read by the claims view."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.models.deploy.pod_template import Manifest
from tui.models.xdg import state_dir
from tui.services.transfer.claim_pull import ClaimPullFailed, HelperSpec, claim_mounts, helper_spec_from_pod

_LOCK = threading.Lock()  # applies and pulls run in worker threads: one read-modify-write at a time


@dataclass(frozen=True)
class RecordedMount:
    """How the last pod the app applied with this claim mounted it: the helper for it, and the pod's name."""

    spec: HelperSpec
    pod: str


class ClaimMountStore:
    """`{"NAMESPACE/CLAIM": {"pod", "mountPath", "image", "nodeSelector", "tolerations", "imagePullSecrets"}}`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "claims.json"

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def remember(self, namespace: str, pod: Manifest) -> None:
        """Every claim this pod manifest mounts, with the image of the container that mounts it and the pod's
        placement (the later mount of a claim mounted twice wins: both see the same files)."""
        entries: dict[str, Any] = {}
        name = str((pod.get("metadata") or {}).get("name", ""))
        for mount in claim_mounts(pod):
            try:
                spec = helper_spec_from_pod(pod, mount.mount_path)
            except (ClaimPullFailed, StopIteration):
                continue
            entries[f"{namespace}/{mount.claim}"] = {
                "pod": name,
                "mountPath": mount.mount_path,
                "image": spec.image,
                "nodeSelector": dict(spec.node_selector),
                "tolerations": [dict(t) for t in spec.tolerations],
                "imagePullSecrets": list(spec.image_pull_secrets),
            }
        if not entries:
            return
        with _LOCK:
            data = self._load()
            data.update(entries)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
            temporary.replace(self.path)

    def recall(self, namespace: str, claim: str) -> RecordedMount | None:
        """What was recorded for this claim; None when nothing (or nothing readable) was."""
        entry = self._load().get(f"{namespace}/{claim}")
        if not isinstance(entry, dict) or not isinstance(entry.get("mountPath"), str) or not entry["mountPath"]:
            return None
        selector = entry.get("nodeSelector")
        tolerations = entry.get("tolerations")
        secrets = entry.get("imagePullSecrets")
        spec = HelperSpec(
            claim=claim,
            image=str(entry.get("image") or ""),
            mount_path=entry["mountPath"],
            node_selector={str(k): str(v) for k, v in selector.items()} if isinstance(selector, dict) else {},
            tolerations=tuple(t for t in tolerations if isinstance(t, dict)) if isinstance(tolerations, list) else (),
            image_pull_secrets=tuple(str(s) for s in secrets) if isinstance(secrets, list) else (),
        )
        return RecordedMount(spec, str(entry.get("pod") or ""))
