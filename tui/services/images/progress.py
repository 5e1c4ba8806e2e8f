"""Read dockerd's JSON messages for builds, pushes and pulls into the app's events, and its errors into words.

dockerd answers HTTP 200 as soon as it starts; a failure arrives later as an `error`/`errorDetail` message inside
the stream, so every message is checked.
"""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from tui.models.images.image import (
    BuildEvent,
    BuildFailed,
    BuildFinished,
    BuildLog,
    BuildStep,
    ImageRef,
    LayeredProgress,
    LayerProgress,
    is_artifact_registry_host,
)
from tui.services.docker.engine_stream import ImageError

MAX_STEP_OUTPUT_LINES = 400
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_BUILDER_CHATTER = re.compile(r"^( ---> |Removing intermediate container )")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LAYER_ID = re.compile(r"^[0-9a-f]{12}$")
_PULL_DIGEST = re.compile(r"^Digest: (\S+)$")

P = TypeVar("P", bound=LayeredProgress)


class RegistryUnauthorized(ImageError):
    """The registry wants credentials it was not given, or refused the ones it was: a login can mend it."""

    def __init__(self, words: str, registry: str) -> None:
        super().__init__(words)
        self.registry = registry


def error_message(message: dict[str, Any]) -> str | None:
    """The error a stream message carries, if any."""
    detail = message.get("errorDetail")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"])
    if message.get("error"):
        return str(message["error"])
    return None


class BuildOutputReader:
    """Turns the classic builder's messages into BuildEvents: lines reassembled across messages (dockerd sends
    `Step 1/3 : FROM x` and its newline apart), steps numbered, and the failing step's own output kept."""

    def __init__(self, ref: ImageRef | None) -> None:
        self._ref = ref
        self._partial = ""
        self._step: BuildStep | None = None
        self._step_output: list[str] = []
        self._image_id: str | None = None
        self.failed = False

    def read(self, message: dict[str, Any]) -> list[BuildEvent]:
        error = error_message(message)
        if error is not None:
            return [*self._flush(), self.fail(error)]
        aux = message.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            self._image_id = str(aux["ID"])
        text = message.get("stream")
        if not isinstance(text, str):
            return []
        *complete, self._partial = (self._partial + text).split("\n")
        return [event for line in complete for event in self._line(line)]

    def end(self) -> list[BuildEvent]:
        """The stream is over: the last events, which always include BuildFinished or BuildFailed."""
        events = self._flush()
        if self.failed:
            return events
        if self._image_id is None:
            return [*events, self.fail("the engine ended the build without an image")]
        return [*events, BuildFinished(self._image_id, self._ref)]

    def fail(self, error: str) -> BuildFailed:
        """The failure, told with the step it happened in and that step's output."""
        self.failed = True
        message = _build_error_words(error)
        if self._step is not None:
            message = f"step {self._step.number}/{self._step.total} ({self._step.instruction}) failed: {message}"
        return BuildFailed(message, self._step, tuple(self._step_output))

    def _flush(self) -> list[BuildEvent]:
        line, self._partial = self._partial, ""
        return self._line(line) if line else []

    def _line(self, raw: str) -> list[BuildEvent]:
        # What a terminal would show: colours dropped, and of `\r`-redrawn progress only the last state.
        segments = [segment for segment in _ANSI.sub("", raw).split("\r") if segment.strip()]
        line = segments[-1].rstrip() if segments else ""
        step = _STEP.match(line)
        if step:
            self._step = BuildStep(int(step.group(1)), int(step.group(2)), step.group(3))
            self._step_output = []
            return [self._step]
        if not _BUILDER_CHATTER.match(line):
            self._step_output = [*self._step_output[-(MAX_STEP_OUTPUT_LINES - 1) :], line]
        return [BuildLog(line, self._step.number if self._step else None)]


def _build_error_words(error: str) -> str:
    if error.startswith("dockerfile parse error"):
        return "Dockerfile syntax error" + error.removeprefix("dockerfile parse error")
    return error


class LayerProgressTracker(Generic[P]):
    """Folds push or pull messages into snapshots with every layer's latest status and byte counts."""

    def __init__(self, ref: ImageRef, snapshot: type[P]) -> None:
        self._ref = ref
        self._snapshot = snapshot
        self._layers: dict[str, LayerProgress] = {}
        self._status = ""
        self._digest: str | None = None

    def read(self, message: dict[str, Any]) -> P:
        """The next snapshot; raises ImageError, in words, when the message is a failure."""
        error = error_message(message)
        if error is not None:
            raise registry_error(error, self._ref)
        status = str(message.get("status", ""))
        layer_id = str(message.get("id", ""))
        aux = message.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            self._digest = str(aux["Digest"])
        if _LAYER_ID.match(layer_id):
            detail = message.get("progressDetail") or {}
            before = self._layers.get(layer_id)
            total = detail.get("total") or (before.total_bytes if before else None)
            self._layers[layer_id] = LayerProgress(layer_id, status, int(detail.get("current") or 0), total)
        elif status:
            self._status = status
            digest = _PULL_DIGEST.match(status)
            if digest:
                self._digest = digest.group(1)
        return self._snapshot(self._ref, tuple(self._layers.values()), self._status, self._digest)


def registry_error(error: str, ref: ImageRef) -> ImageError:
    """A push or pull failure as an exception: RegistryUnauthorized when logging in would help."""
    words = registry_problem(error, ref)
    if words.startswith("unauthorized: "):
        return RegistryUnauthorized(words, ref.registry)
    return ImageError(words)


def registry_problem(error: str, ref: ImageRef) -> str:
    """A push or pull failure as dockerd words it, led by what it means and what to do."""
    registry = ref.registry
    lowered = error.lower()
    gcloud = is_artifact_registry_host(registry)
    login = f"gcloud auth configure-docker {registry}" if gcloud else f"docker login {registry}"
    if "no such host" in lowered or "server misbehaving" in lowered:
        words = f"registry host {registry} not found (its name does not resolve): check the image name"
    elif "connection refused" in lowered:
        words = f"registry {registry} refused the connection: is it running, and is the port right?"
    elif "no basic auth credentials" in lowered:
        words = f"unauthorized: no credentials for {registry} (run `{login}`)"
    elif "unauthorized" in lowered or "authentication required" in lowered:
        words = f"unauthorized: {registry} did not accept the credentials (check them, or run `{login}`)"
    elif "denied" in lowered:
        words = f"denied: these credentials may not access {ref.name}"
    elif "server gave http response to https client" in lowered:
        words = f"{registry} speaks plain HTTP: list it under insecure-registries in the engine's daemon.json"
    elif "x509" in lowered or "certificate" in lowered:
        words = f"the TLS certificate of {registry} is not trusted by the engine"
    elif "does not exist locally" in lowered:
        words = f"there is no local image {ref}: build or tag it first"
    elif "manifest unknown" in lowered or "not found" in lowered:
        words = f"{ref} is not in {registry}"
    elif "timeout" in lowered:
        words = f"{registry} did not answer in time"
    else:
        return error
    return f"{words} [engine: {error}]"
