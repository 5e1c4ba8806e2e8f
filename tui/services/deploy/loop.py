"""The experiment loop with one key: build the project's image, push it, deploy the pod with it, wait until the pod
runs, then hand it over for a shell. Each stage reports as it goes; the first that fails stops the loop and says
why (the build's failing step, the registry's refusal, the API's message, the scheduler's reason). A build that
made the very image pushed last is not pushed again under a new tag: the pod gets the last push."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from tui.models.deploy.pod_progress import Verdict
from tui.models.deploy.pod_template import Manifest, name_of, pods_of, replace_image
from tui.models.images.image import BuildFailed, BuildFinished, BuildStep, ImageRef, next_version
from tui.models.project.project_file import LoopReady, Project, StageState, StageUpdate
from tui.models.project.starter import KEEP_ALIVE
from tui.models.units import human_bytes
from tui.services.deploy.apply import ApplyFailed, PodApplier
from tui.services.deploy.pod_deletion import PodDeletion
from tui.services.deploy.pod_follow import PodFollower
from tui.services.docker.engine_stream import EventStream, ImageError
from tui.services.images.images import ImageService
from tui.services.images.last_pushed import LastPushed, last_push_of
from tui.services.images.registry_auth import registry_has_tag

RUNNING_TIMEOUT_S = 300.0
STUCK_GRACE_S = 20.0  # a fresh claim makes the scheduler complain for a moment: only a lasting problem stops


@dataclass(frozen=True)
class ImageChosen:
    """The image the pod gets (with its digest): pushed just now, or the last push when the build made that image."""

    ref: ImageRef


LoopEvent = StageUpdate | LoopReady | ImageChosen


def next_tag(project: Project, last_pushed: str | None) -> str:
    """The project's tag, else one up from the last push of the same repository, else 0.1."""
    if project.tag:
        return project.tag
    try:
        last = ImageRef.parse(last_pushed) if last_pushed else None
        if last and last.tag and last.name == ImageRef.parse(project.repository).name:
            return next_version(last.tag) or "0.1"
    except ValueError:
        pass
    return "0.1"


def _ended_hint(verdict: Verdict) -> str:
    """For a pod that finished before the shell: most often the image's CMD (python3 of python:slim) ended at once."""
    if verdict not in (Verdict.SUCCEEDED, Verdict.FAILED):
        return ""
    return (
        "; the pod's command ended before a shell could open: give it a command that keeps running, "
        f"e.g. command: {KEEP_ALIVE} in k8sx.yaml's pod.template (or the pod's YAML)"
    )


class ExperimentLoop:
    def __init__(self, images: ImageService, applier: PodApplier, last_pushed: LastPushed) -> None:
        self.images = images
        self.applier = applier
        self.last_pushed = last_pushed
        self._cancel = threading.Event()
        self._stream: EventStream[Any] | None = None
        self.deletion: PodDeletion | None = None  # the earlier pod's, while it is waited for (it can be forced)

    def cancel(self) -> None:
        """From any thread: stop the loop, and the build or push in progress with it (the engine stops too)."""
        self._cancel.set()
        stream = self._stream
        if stream is not None:
            stream.cancel()

    def run(self, project: Project, namespace: str, manifests: list[Manifest], replace: bool) -> Iterator[LoopEvent]:
        """`manifests` (labelled; their image is replaced by the pushed one); `replace`: pods of the same names
        are deleted first (the user agreed)."""
        cancel = self._cancel
        try:
            ref = ImageRef.parse(f"{project.repository}:{next_tag(project, self.last_pushed.get())}")
        except ValueError as exc:
            yield StageUpdate("build", StageState.FAILED, f"image {project.repository}: {exc}")
            return
        image_id = yield from self._build(project, ref, cancel)
        if image_id is None or cancel.is_set():
            return
        pushed = yield from self._image_for_pod(project, image_id, ref, cancel)
        if pushed is None or cancel.is_set():
            return
        pod_name = yield from self._deploy(namespace, manifests, pushed, replace, cancel)
        if pod_name is None or cancel.is_set():
            return
        pod = yield from self._wait_running(namespace, pod_name, cancel)
        if pod is not None:
            yield StageUpdate("shell", StageState.RUNNING, f"opening a shell in {pod_name}")
            yield LoopReady(namespace, pod)

    def _build(
        self, project: Project, ref: ImageRef, cancel: threading.Event
    ) -> Generator[LoopEvent, None, str | None]:
        """The image's id (the build stage is left running); untagged: the tag is given once it is known to be new."""
        yield StageUpdate("build", StageState.RUNNING, f"{ref} from {project.resolve(project.context)}")
        stream = self.images.build(
            project.resolve(project.context), str(project.resolve(project.dockerfile)), None, project.build_args
        )
        self._stream = stream
        for event in stream:
            if cancel.is_set():
                stream.cancel()
                yield StageUpdate("build", StageState.FAILED, "cancelled")
                return None
            if isinstance(event, BuildStep):
                yield StageUpdate(
                    "build", StageState.RUNNING, f"step {event.number}/{event.total}: {event.instruction}"
                )
            elif isinstance(event, BuildFailed):
                output = "; ".join(event.output[-3:])
                yield StageUpdate("build", StageState.FAILED, event.message + (f" ({output})" if output else ""))
                return None
            elif isinstance(event, BuildFinished):
                return event.image_id
        yield StageUpdate("build", StageState.FAILED, "the build ended without a result")
        return None

    def _image_for_pod(
        self, project: Project, image_id: str, ref: ImageRef, cancel: threading.Event
    ) -> Generator[LoopEvent, None, ImageRef | None]:
        """The last push when the build made that very image again (no new tag, nothing pushed), else the image
        tagged as `ref` and pushed."""
        short_id = image_id.removeprefix("sha256:")[:12]
        last = self._last_push_of(project.repository, image_id)
        if last is not None:
            yield StageUpdate("build", StageState.DONE, f"{short_id}: the image pushed as {last.tag}")
            yield StageUpdate("push", StageState.DONE, f"image unchanged since {last.tag} — not pushed again")
            yield ImageChosen(last)
            return last
        try:
            self.images.tag(image_id, ref)
        except ImageError as exc:
            yield StageUpdate("build", StageState.FAILED, str(exc))
            return None
        yield StageUpdate("build", StageState.DONE, f"{ref} ({short_id})")
        pushed = yield from self._push(ref, cancel)
        if pushed is not None:
            yield ImageChosen(pushed)
        return pushed

    def _last_push_of(self, repository: str, image_id: str) -> ImageRef | None:
        """The last push, if it pushed this image to `repository` and the registry still has its tag (a registry
        wiped since would leave the pod without its image); None when that cannot be told: the image is pushed."""
        try:
            last = last_push_of(self.last_pushed.get(), repository, self.images.inspect(image_id).image.digests)
            if last is None:
                return None
            auth = self.images.registry_auth(last.registry)
        except ImageError:
            return None
        return last if registry_has_tag(last, auth) else None

    def _push(self, ref: ImageRef, cancel: threading.Event) -> Generator[LoopEvent, None, ImageRef | None]:
        yield StageUpdate("push", StageState.RUNNING, f"to {ref.registry}")
        stream = self.images.push(ref)
        self._stream = stream
        finished: ImageRef | None = None
        shown = -1.0
        try:
            for progress in stream:
                if cancel.is_set():
                    stream.cancel()
                    yield StageUpdate("push", StageState.FAILED, "cancelled")
                    return None
                finished = progress.finished_ref or finished
                if time.monotonic() - shown > 0.5:  # a redraw per engine message is too many
                    shown = time.monotonic()
                    done = f"{progress.layers_done}/{len(progress.layers)} layers"
                    yield StageUpdate("push", StageState.RUNNING, f"{done}, {human_bytes(progress.current_bytes)}")
        except ImageError as exc:
            yield StageUpdate("push", StageState.FAILED, str(exc))
            return None
        if finished is None:
            yield StageUpdate("push", StageState.FAILED, "the registry did not confirm the push (no digest)")
            return None
        self.last_pushed.set(str(finished))
        yield StageUpdate("push", StageState.DONE, str(finished))
        return finished

    def _deploy(
        self, namespace: str, manifests: list[Manifest], image: ImageRef, replace: bool, cancel: threading.Event
    ) -> Generator[LoopEvent, None, str | None]:
        with_image, _ = replace_image(manifests, str(image))
        first = name_of(pods_of(with_image)[0])
        yield StageUpdate("deploy", StageState.RUNNING, f"pod {first} into {namespace}")
        try:
            if replace:
                for pod in pods_of(with_image):
                    if not (yield from self._delete(namespace, name_of(pod), cancel)):
                        return None
            applied = self.applier.apply(namespace, with_image)
        except ApplyFailed as exc:
            yield StageUpdate("deploy", StageState.FAILED, str(exc))
            return None
        yield StageUpdate("deploy", StageState.DONE, ", ".join(map(str, applied)))
        return first

    def _delete(self, namespace: str, name: str, cancel: threading.Event) -> Generator[LoopEvent, None, bool]:
        """The earlier pod of that name, deleted and waited for, saying how it goes; False: the wait was stopped."""
        self.deletion = PodDeletion(self.applier.kube, namespace, name)
        try:
            last = None
            for last in self.deletion.run(cancel):
                yield StageUpdate("deploy", StageState.RUNNING, last.summary())
        finally:
            self.deletion = None
        if last is None or not last.gone:
            yield StageUpdate("deploy", StageState.FAILED, f"stopped waiting: pod {name} is still being deleted")
            return False
        return True

    def _wait_running(
        self, namespace: str, name: str, cancel: threading.Event
    ) -> Generator[LoopEvent, None, dict[str, Any] | None]:
        follower = PodFollower(self.applier.kube, namespace, name)
        started = time.monotonic()
        stuck_since: float | None = None
        last = None
        for progress in follower.follow(cancel, timeout=RUNNING_TIMEOUT_S, every_look=True):
            last = progress
            if progress.verdict is Verdict.RUNNING and follower.last_pod is not None:
                yield StageUpdate("running", StageState.DONE, progress.summary())
                return follower.last_pod
            if progress.verdict.settled:
                yield StageUpdate("running", StageState.FAILED, progress.summary() + _ended_hint(progress.verdict))
                return None
            stuck_since = (stuck_since or time.monotonic()) if progress.verdict is Verdict.STUCK else None
            if stuck_since is not None and time.monotonic() - stuck_since > STUCK_GRACE_S:
                yield StageUpdate("running", StageState.FAILED, progress.summary())
                return None
            waited = time.monotonic() - started
            yield StageUpdate(
                "running", StageState.RUNNING, progress.summary() + (f" ({waited:.0f} s)" if waited >= 2 else "")
            )
        if cancel.is_set():
            yield StageUpdate("running", StageState.FAILED, f"stopped waiting: pod {name} stays as it is")
        else:
            waited = time.monotonic() - started
            reason = last.summary() if last else name
            yield StageUpdate("running", StageState.FAILED, f"not Running after {waited:.0f}s: {reason}")
        return None
