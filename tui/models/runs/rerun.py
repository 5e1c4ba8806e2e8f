"""A re-run planned from a run's record, free of I/O: the manifest as recorded under a new name, each container's
image pinned to the digest the kubelet ran (the tag kept in an annotation, for people), or refused in words."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from tui.models.runs.pod_status import digest_of
from tui.models.runs.run import Run

RERUN_OF = "k8sx.dev/rerun-of"  # annotation: the run this one repeats
AS_TAGGED = "k8sx.dev/images-as-tagged"  # annotation: `container=image` as first applied, one a line
NAME_LIMIT = 63  # a Job's name becomes a label value on its pods; a pod's, its hostname
RUN_KINDS = ("Pod", "Job")


class RerunRefused(Exception):
    """The run cannot be applied again as recorded; the message says why and what to do."""


@dataclass(frozen=True)
class PinnedImage:
    container: str
    recorded: str  # the image as first applied
    image: str  # as applied now: by digest when one was recorded

    @property
    def by_digest(self) -> bool:
        return self.image != self.recorded and "@" in self.image


@dataclass(frozen=True)
class RerunPlan:
    run_id: str
    kind: str
    name: str  # the new name
    namespace: str
    context: str
    manifest: dict[str, Any]
    images: tuple[PinnedImage, ...]

    def question(self) -> str:
        """What the confirm dialog says will be applied."""
        lines = [
            f"Re-run {self.run_id}: apply its recorded manifest again as {self.kind} {self.name}",
            f"in namespace {self.namespace} (context {self.context})?",
            "",
        ]
        for pinned in self.images:
            if pinned.by_digest:
                lines.append(f"{pinned.container}: {pinned.image}")
                lines.append(f"  by digest (was applied as {pinned.recorded})")
            else:
                lines.append(f"{pinned.container}: {pinned.image} (no digest recorded: as tagged)")
        return "\n".join(lines)


def plan_rerun(run: Run, context: str | None, suffix: str) -> RerunPlan:
    """The run's manifest under `NAME-suffix`, images pinned, in its namespace; refused when the app's kube
    context is not the run's (the same namespace of another cluster is another place) or the manifest is not
    one pod or Job."""
    if problem := wrong_context(run, context, "re-run it"):
        raise RerunRefused(problem)
    manifest = _manifest(run)
    name = rerun_name(run.name, suffix)
    digests = container_digests(run)
    pinned: list[PinnedImage] = []
    for container in _containers(pod_spec_of(manifest)):
        recorded = str(container.get("image", ""))
        if not recorded:
            continue
        image = pin(recorded, digests.get(str(container.get("name", "")), ""))
        container["image"] = image
        pinned.append(PinnedImage(str(container.get("name", "")), recorded, image))
    _set_name(manifest, name, run.id, pinned)
    return RerunPlan(run.id, str(manifest["kind"]), name, run.namespace, run.context, manifest, tuple(pinned))


def wrong_context(run: Run, context: str | None, doing: str) -> str:
    """Why `doing` cannot be done from `context` ("" when it can): a run's namespace in another cluster is
    another place (or none at all)."""
    if not run.context:
        return f"run {run.id} has no kube context recorded: the app cannot tell where it ran"
    if context != run.context:
        return (
            f"run {run.id} ran in kube context {run.context}, the app is on {context or 'no context'}: "
            f"switch to {run.context} (c on the pod list) to {doing}"
        )
    return ""


def rerun_name(name: str, suffix: str) -> str:
    """`name-suffix`, the name cut so the whole stays a valid name of at most NAME_LIMIT characters."""
    base = name[: NAME_LIMIT - len(suffix) - 1].rstrip("-.")
    return f"{base}-{suffix}"


def container_digests(run: Run) -> dict[str, str]:
    """container name -> the digest its image ran as (`sha256:…`), from the kubelet's imageIDs; a run of one image
    whose containers were never seen uses its one recorded digest."""
    found = {end.name: digest for end in run.containers if (digest := digest_of(end.image_id))}
    if not found and len(run.images) == 1 and len(run.digests) == 1 and (digest := digest_of(run.digests[0])):
        spec = pod_spec_of(_loaded(run.manifest))
        found = {str(c.get("name", "")): digest for c in _containers(spec)}
    return found


def pin(image: str, digest: str) -> str:
    """`repository@digest` (the tag dropped: a tag beside a digest is ignored by the runtime but confuses people);
    the image as it was when no digest is known or it names one already."""
    if not digest or "@" in image:
        return image
    return f"{repository_of(image)}@{digest}"


def repository_of(image: str) -> str:
    """The image without its tag or digest: `host:5000/team/train:0.3` -> `host:5000/team/train`."""
    name = image.split("@", 1)[0]
    colon, slash = name.rfind(":"), name.rfind("/")
    return name[:colon] if colon > slash else name


def pod_spec_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    """A Pod's spec, or a Job's pod template's."""
    spec = _mapping(manifest.get("spec"))
    if manifest.get("kind") == "Job":
        spec = _mapping(_mapping(spec.get("template")).get("spec"))
    return spec


def _containers(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The init containers and containers, as the mappings in the manifest (changed in place by the plan)."""
    found: list[dict[str, Any]] = []
    for key in ("initContainers", "containers"):
        listed = pod_spec.get(key)
        found += [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    return found


def _manifest(run: Run) -> dict[str, Any]:
    try:
        manifest = yaml.safe_load(run.manifest)
    except yaml.YAMLError as exc:
        raise RerunRefused(
            f"the manifest recorded for run {run.id} cannot be read as YAML: {_first_line(exc)}"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("kind") not in RUN_KINDS:
        what = manifest.get("kind") if isinstance(manifest, dict) else type(manifest).__name__
        raise RerunRefused(f"the manifest recorded for run {run.id} is not a Pod or a Job (it is {what!r})")
    if not isinstance(manifest.get("metadata"), dict) or not isinstance(manifest.get("spec"), dict):
        raise RerunRefused(f"the manifest recorded for run {run.id} has no metadata or spec")
    if not _containers(pod_spec_of(manifest)):
        raise RerunRefused(f"the manifest recorded for run {run.id} has no containers")
    return copy.deepcopy(manifest)


def _set_name(manifest: dict[str, Any], name: str, run_id: str, pinned: list[PinnedImage]) -> None:
    """The new name, and annotations saying what this repeats and the tags its digests stand for (on a Job's pods
    too, where people look)."""
    metadata = manifest["metadata"]
    metadata["name"] = name
    metadata.pop("generateName", None)
    notes = {RERUN_OF: run_id}
    tagged = [f"{p.container}={p.recorded}" for p in pinned if p.by_digest]
    if tagged:
        notes[AS_TAGGED] = "\n".join(tagged)
    targets = [metadata]
    if manifest.get("kind") == "Job":
        template = manifest["spec"].setdefault("template", {})
        if isinstance(template, dict):
            template_metadata = template.get("metadata")
            if not isinstance(template_metadata, dict):
                template_metadata = template["metadata"] = {}
            targets.append(template_metadata)
    for target in targets:
        annotations = target.get("annotations")
        target["annotations"] = {**(annotations if isinstance(annotations, dict) else {}), **notes}


def _loaded(text: str) -> Mapping[str, Any]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
