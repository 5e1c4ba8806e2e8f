"""Images as the app talks about them: references, local images, build events and layer-by-layer progress."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

DOCKER_HUB = "docker.io"
DEFAULT_TAG = "latest"
ARTIFACT_REGISTRY_SUFFIX = "-docker.pkg.dev"

# The grammar of github.com/distribution/reference, which dockerd applies to every name.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")  # ASCII only: Python's \w would take "é" too
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def is_artifact_registry_host(host: str) -> bool:
    """Google Artifact Registry hosts are REGION-docker.pkg.dev."""
    return host.endswith(ARTIFACT_REGISTRY_SUFFIX)


@dataclass(frozen=True)
class ImageRef:
    """A fully qualified image reference: registry host, repository path, and a tag and/or a digest."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        """Read any reference the docker CLI accepts; `busybox` is docker.io/library/busybox. ValueError if invalid."""
        name, _, digest = text.strip().partition("@")
        tag: str | None = None
        last_colon, last_slash = name.rfind(":"), name.rfind("/")
        if last_colon > last_slash:
            name, tag = name[:last_colon], name[last_colon + 1 :]
        first, slash, rest = name.partition("/")
        if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, repository = first, rest
        else:
            registry, repository = DOCKER_HUB, name
        if registry == "index.docker.io":
            registry = DOCKER_HUB
        if registry == DOCKER_HUB and "/" not in repository:
            repository = f"library/{repository}"
        ref = cls(registry, repository, tag, digest or None)
        ref.validate(text)
        return ref

    def validate(self, original: str | None = None) -> None:
        shown = original if original is not None else str(self)
        if not _DOMAIN.fullmatch(self.registry):
            raise ValueError(f"invalid registry host {self.registry!r} in {shown!r}")
        if self.repository != self.repository.lower():
            raise ValueError(f"repository name must be lowercase: {shown!r}")
        if not _PATH.fullmatch(self.repository):
            raise ValueError(f"invalid repository path {self.repository!r} in {shown!r}")
        if self.tag is not None and not _TAG.fullmatch(self.tag):
            raise ValueError(f"invalid tag {self.tag!r} (letters, digits, '_', '.', '-'; at most 128)")
        if self.digest is not None and not _DIGEST.fullmatch(self.digest):
            raise ValueError(f"invalid digest {self.digest!r} in {shown!r}")

    @property
    def name(self) -> str:
        """Registry and repository, without tag or digest: what `docker push` and the registry API address."""
        return f"{self.registry}/{self.repository}"

    @property
    def tag_or_latest(self) -> str:
        return self.tag or DEFAULT_TAG

    def with_tag(self, tag: str) -> ImageRef:
        """The same repository under another tag (a new tag names new content, so the digest is dropped)."""
        ref = replace(self, tag=tag, digest=None)
        ref.validate()
        return ref

    def with_digest(self, digest: str) -> ImageRef:
        ref = replace(self, digest=digest)
        ref.validate()
        return ref

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def artifact_registry_ref(region: str, project: str, repository: str, image: str, tag: str) -> ImageRef:
    """REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE:TAG, checked as dockerd would check it."""
    parts = {"region": region, "project": project, "repository": repository, "image": image, "tag": tag}
    missing = [label for label, value in parts.items() if not value.strip()]
    if missing:
        raise ValueError(f"Artifact Registry image needs a {', '.join(missing)}")
    return ImageRef.parse(f"{region}{ARTIFACT_REGISTRY_SUFFIX}/{project}/{repository}/{image}:{tag}")


def next_version(tag: str) -> str | None:
    """The tag with its last number raised by one ("0.9" -> "0.10", "v3" -> "v4"); None when it has no number."""
    match = _LAST_NUMBER.search(tag)
    if match is None:
        return None
    digits = match.group(1)
    raised = str(int(digits) + 1).zfill(len(digits))
    return tag[: match.start()] + raised + tag[match.end() :]


@dataclass(frozen=True)
class LocalImage:
    """One image in the engine, as a row of the images list."""

    image_id: str
    tags: tuple[str, ...]
    digests: tuple[str, ...]
    size_bytes: int
    created: datetime

    @property
    def short_id(self) -> str:
        return self.image_id.removeprefix("sha256:")[:12]


@dataclass(frozen=True)
class ImageDetails:
    """What a built image will do when it runs: its run config, platform and layers."""

    image: LocalImage
    platform: str
    cmd: tuple[str, ...]
    entrypoint: tuple[str, ...]
    workdir: str
    env: tuple[str, ...]
    labels: dict[str, str]
    layer_count: int


@dataclass(frozen=True)
class BuildStep:
    """`Step 2/5 : COPY . /app` of the classic builder."""

    number: int
    total: int
    instruction: str


@dataclass(frozen=True)
class BuildLog:
    """One line of output, with the step it belongs to (None before the first step)."""

    text: str
    step: int | None


@dataclass(frozen=True)
class BuildFailed:
    """The build stopped; `output` holds the failing step's own lines, so the cause is visible without scrolling."""

    message: str
    step: BuildStep | None
    output: tuple[str, ...]


@dataclass(frozen=True)
class BuildFinished:
    image_id: str
    ref: ImageRef | None


BuildEvent = BuildStep | BuildLog | BuildFailed | BuildFinished

LAYER_DONE_STATUSES = frozenset({"Pushed", "Layer already exists", "Pull complete", "Already exists"})


@dataclass(frozen=True)
class LayerProgress:
    """One layer of a push or pull: the engine's latest status for it and its byte counters."""

    layer_id: str
    status: str
    current_bytes: int
    total_bytes: int | None

    @property
    def done(self) -> bool:
        return self.status in LAYER_DONE_STATUSES or self.status.startswith("Mounted from")


@dataclass(frozen=True)
class LayeredProgress:
    """A snapshot of a push or pull after each engine message: every layer seen so far and the totals."""

    ref: ImageRef
    layers: tuple[LayerProgress, ...]
    status: str  # the latest line that is not about a single layer
    digest: str | None  # known once the registry has the manifest

    @property
    def layers_done(self) -> int:
        return sum(layer.done for layer in self.layers)

    @property
    def current_bytes(self) -> int:
        return sum(
            layer.total_bytes if layer.done and layer.total_bytes else layer.current_bytes for layer in self.layers
        )

    @property
    def total_bytes(self) -> int:
        return sum(layer.total_bytes or 0 for layer in self.layers)

    @property
    def finished_ref(self) -> ImageRef | None:
        """The reference with its digest, once the transfer is complete: what a deployment should pin."""
        return self.ref.with_digest(self.digest) if self.digest else None


@dataclass(frozen=True)
class PushProgress(LayeredProgress):
    """Progress of `docker push`."""


@dataclass(frozen=True)
class PullProgress(LayeredProgress):
    """Progress of `docker pull`."""


@dataclass(frozen=True)
class CopyProgress:
    """Bytes of a local folder streamed into a container so far."""

    sent_bytes: int
    total_bytes: int
    path: str  # the file being sent
    files_sent: int = 0  # files (and folders, links) fully sent
    files_total: int = 0


@dataclass(frozen=True)
class BuildContainer:
    """A container kept running from a base image, to install things in by hand and then commit."""

    container_id: str
    name: str
    base_image: str
    shell: str
