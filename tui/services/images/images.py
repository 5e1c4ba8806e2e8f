"""Local images and their way to a registry: list, build from a Dockerfile or by hand in a container, push, pull.

Credentials come from a docker config directory as the docker CLI reads them (never from docker-py's own
lookup, which falls back to ~/.docker), so the app and its tests decide which config is used.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import docker
import requests
from docker.errors import APIError, NotFound

from tui.models.images.image import (
    BuildContainer,
    BuildEvent,
    ImageDetails,
    ImageRef,
    LocalImage,
    PullProgress,
    PushProgress,
)
from tui.services.docker.engine_stream import (
    EngineCall,
    EngineReplyError,
    EngineRequest,
    EventStream,
    ImageError,
    engine_path,
    engine_unreachable,
)
from tui.services.images.build_context import BuildContext, copied_paths
from tui.services.images.progress import BuildOutputReader, LayerProgressTracker, registry_error
from tui.services.images.registry_auth import CredentialsError, DockerCredentials, RegistryAuth, auth_key
from tui.services.images.registry_login import store_login
from tui.services.tar.stream import ProgressCallback, TarStream

P = TypeVar("P", PushProgress, PullProgress)
BUILD_CONTAINER_PREFIX = "k8sx-build-"
BUILD_LABEL = "k8sx-tui.build"  # set to "1" on the build containers the app starts: known whatever they are named
OWNER_LABEL = "k8sx-tui.owner"  # HOST:PID of the k8sx-tui that started it (build_containers.py: whose it is)
# PID 1 of a build container: waits for a shell to exec in, and ends at once on `docker stop`.
KEEP_ALIVE = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"


def is_build_container(name: str, labels: Mapping[str, str] | None) -> bool:
    """Whether a container is one of the app's interactive builds: by its label, or by its name."""
    return (labels or {}).get(BUILD_LABEL) == "1" or name.lstrip("/").startswith(BUILD_CONTAINER_PREFIX)


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class CopyCancelled(ImageError):
    """A copy into a container was stopped on request."""


class LoginRefused(ImageError):
    """The registry did not accept the user and password (or token) given to log in."""


def _encode_header(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@contextmanager
def _engine_errors(what: str) -> Iterator[None]:
    """docker-py's exceptions for short calls, in words."""
    try:
        yield
    except NotFound as exc:
        raise ImageError(f"{what}: {exc.explanation or 'not found'}") from exc
    except APIError as exc:
        raise ImageError(f"{what}: {exc.explanation or exc}") from exc
    except requests.RequestException as exc:
        raise ImageError(f"{what}: {engine_unreachable(exc)}") from exc


def _local_image(attrs: Mapping[str, Any]) -> LocalImage:
    """One image from either the list (Created in Unix seconds) or inspect (Created in RFC 3339)."""
    created = attrs.get("Created") or 0
    when = (
        datetime.fromtimestamp(created, tz=UTC) if isinstance(created, int | float) else datetime.fromisoformat(created)
    )
    tags = tuple(tag for tag in attrs.get("RepoTags") or () if tag != "<none>:<none>")
    digests = tuple(digest for digest in attrs.get("RepoDigests") or () if not digest.startswith("<none>"))
    return LocalImage(str(attrs["Id"]), tags, digests, int(attrs.get("Size") or 0), when)


class ImageService:
    """Images of one Docker engine. Long calls (build, push, pull, commit, copy) never time out on a quiet
    engine, and build, push and pull come as streams that can be cancelled; short calls use the client as is."""

    def __init__(self, client: docker.DockerClient, docker_config_dir: str | None = None) -> None:
        self._client = client
        self._api = client.api
        self._credentials = DockerCredentials(docker_config_dir)

    # -- local images --------------------------------------------------------------------------------------

    def list_images(self) -> list[LocalImage]:
        """Tagged and untagged images, newest first (intermediate build layers left out, as `docker images`)."""
        with _engine_errors("cannot list images"):
            rows = self._api.images()
        return sorted((_local_image(row) for row in rows), key=lambda image: image.created, reverse=True)

    def inspect(self, ref: str) -> ImageDetails:
        with _engine_errors(f"cannot inspect {ref}"):
            attrs = self._client.images.get(ref).attrs
        config = attrs.get("Config") or {}
        return ImageDetails(
            image=_local_image(attrs),
            platform=f"{attrs.get('Os', '?')}/{attrs.get('Architecture', '?')}",
            cmd=tuple(config.get("Cmd") or ()),
            entrypoint=tuple(config.get("Entrypoint") or ()),
            workdir=config.get("WorkingDir") or "",
            env=tuple(config.get("Env") or ()),
            labels=dict(config.get("Labels") or {}),
            layer_count=len((attrs.get("RootFS") or {}).get("Layers") or ()),
        )

    def remove(self, ref: str) -> None:
        """Untag, and delete the image once no tag is left (refused while a container uses it)."""
        with _engine_errors(f"cannot remove {ref}"):
            self._api.remove_image(ref)

    def tag(self, source: str, ref: ImageRef) -> None:
        with _engine_errors(f"cannot tag {source} as {ref}"):
            self._api.tag(source, ref.name, ref.tag_or_latest)

    def exists(self, ref: str) -> bool:
        """Whether the engine has an image by this tag or id."""
        with _engine_errors(f"cannot look up {ref}"):
            try:
                self._client.images.get(ref)
            except NotFound:
                return False
        return True

    def _untag(self, ref: ImageRef) -> None:
        """Remove a tag the app made, unless it is the image's only name (removing it would delete the image)."""
        with _engine_errors(f"cannot remove the tag {ref}"):
            if len(self._client.images.get(str(ref)).tags) > 1:
                self._api.remove_image(str(ref))

    # -- Dockerfile builds ---------------------------------------------------------------------------------

    def build(
        self,
        context_dir: str | Path,
        dockerfile: str = "Dockerfile",
        tag: ImageRef | None = None,
        buildargs: Mapping[str, str] | None = None,
        target: str | None = None,
        nocache: bool = False,
        platform: str | None = None,
    ) -> EventStream[BuildEvent]:
        """`docker build` with the classic builder: Step, log and a last BuildFinished or BuildFailed event.
        Failures never raise: they arrive as BuildFailed, and images already there stay untouched."""
        call = EngineCall(self._api, "POST", "/build")
        args = dict(buildargs or {})
        reader = BuildOutputReader(tag)

        def events() -> Iterator[BuildEvent]:
            try:
                context = BuildContext.prepare(context_dir, dockerfile, args)
                params = {
                    "t": str(tag) if tag else None,
                    "dockerfile": context.dockerfile_name,
                    "buildargs": json.dumps(args) if args else None,
                    "target": target,
                    "nocache": "1" if nocache else None,
                    "platform": platform,
                    "rm": "1",
                    "forcerm": "1",  # a failed step leaves no stopped container behind
                }
                headers = {
                    "Content-Type": "application/x-tar",
                    "X-Registry-Config": _encode_header(self._build_credentials(context.base_registries)),
                }
                archive = TarStream(context.root, context.paths, extra_files=context.extra_files)
                for message in call.messages(EngineRequest(params, headers, archive)):
                    yield from reader.read(message)
                    if reader.failed:
                        return
            except ImageError as exc:
                yield reader.fail(str(exc))
                return
            if not call.cancelled:
                yield from reader.end()

        return EventStream(events(), call)

    def _build_credentials(self, registries: frozenset[str]) -> dict[str, dict[str, str]]:
        """What the build may pull FROM with; a helper that fails is skipped, as the docker CLI skips it."""
        found: dict[str, dict[str, str]] = {}
        for registry in registries:
            try:
                auth = self._credentials.lookup(registry)
            except CredentialsError:
                continue
            if auth is not None:
                found[auth.server_address] = auth.engine_auth()
        return found

    # -- registries ----------------------------------------------------------------------------------------

    def registry_auth(self, registry: str) -> RegistryAuth | None:
        """The credentials the docker CLI would use for `registry`; ImageError when a helper is missing or fails."""
        try:
            return self._credentials.lookup(registry)
        except CredentialsError as exc:
            raise ImageError(str(exc)) from exc

    def push(self, ref: ImageRef, source: str | None = None) -> EventStream[PushProgress]:
        """`docker push` of ref's tag, one snapshot per engine message; the last one carries the digest
        (`finished_ref`). Failures, credentials included, raise ImageError in words while iterating
        (RegistryUnauthorized when logging in would help). With `source`, that local image is tagged as ref first,
        and a push that does not finish takes the tag away again (a tag that was there before stays)."""
        call = EngineCall(self._api, "POST", engine_path("/images/{}/push", ref.name))
        tracker = LayerProgressTracker(ref, PushProgress)
        snapshots = self._layered(call, {"tag": ref.tag_or_latest}, tracker, ref)
        return EventStream(snapshots if source is None else self._tagged(source, ref, snapshots), call)

    def _tagged(self, source: str, ref: ImageRef, snapshots: Iterator[PushProgress]) -> Iterator[PushProgress]:
        made = not self.exists(str(ref))
        self.tag(source, ref)
        last: PushProgress | None = None
        try:
            for last in snapshots:
                yield last
        finally:
            if made and (last is None or last.digest is None):
                with suppress(ImageError):  # the push's own failure is the one to tell
                    self._untag(ref)

    def log_in(self, registry: str, username: str, password: str) -> str:
        """`docker login`: the engine checks the user and password (or token) with the registry, as it will for a
        push, then they are stored as the docker CLI stores them; returns where. LoginRefused when the registry
        says no, ImageError when it cannot be asked or the login cannot be stored: nothing is stored then."""
        key = auth_key(registry)
        body = {"username": username, "password": password, "serveraddress": key}
        try:
            reply = EngineCall(self._api, "POST", "/auth").result(EngineRequest(json_body=body))
        except EngineReplyError as exc:
            said = str(exc)
            if "401" in said or "unauthorized" in said.lower():
                raise LoginRefused(f"{registry} did not accept this user and password [engine: {said}]") from exc
            raise ImageError(f"cannot log in to {registry}: {said}") from exc
        token = str(reply.get("IdentityToken") or "")
        try:
            return store_login(self._credentials.config_path, RegistryAuth(key, username, password, token))
        except CredentialsError as exc:
            raise ImageError(f"{registry} accepted the login, but it could not be stored: {exc}") from exc

    def pull(self, ref: ImageRef) -> EventStream[PullProgress]:
        """`docker pull` by tag or, when ref has one, by digest."""
        call = EngineCall(self._api, "POST", "/images/create")
        params = {"fromImage": ref.name, "tag": ref.digest or ref.tag_or_latest}
        return EventStream(self._layered(call, params, LayerProgressTracker(ref, PullProgress), ref), call)

    def _layered(
        self, call: EngineCall, params: dict[str, str], tracker: LayerProgressTracker[P], ref: ImageRef
    ) -> Iterator[P]:
        auth = self.registry_auth(ref.registry)
        # Always sent, even empty, so dockerd never falls back to credentials of its own.
        headers = {"X-Registry-Auth": _encode_header(auth.engine_auth() if auth else {})}
        snapshot: P | None = None
        try:
            for message in call.messages(EngineRequest(params, headers)):
                snapshot = tracker.read(message)
                yield snapshot
        except EngineReplyError as exc:
            raise registry_error(str(exc), ref) from exc
        if not call.cancelled and (snapshot is None or snapshot.digest is None):
            raise ImageError(f"the engine ended the transfer of {ref} without a digest")

    # -- interactive builds: a running container to shape by hand, then commit -----------------------------

    def start_build_container(self, base_image: str, shell: str = "/bin/sh") -> BuildContainer:
        """A container from base_image that idles until removed, so shells can exec into it. Its keep-alive
        command replaces the base's entrypoint; commit() puts the base's entrypoint and command back."""
        name = f"{BUILD_CONTAINER_PREFIX}{uuid.uuid4().hex[:8]}"
        with _engine_errors(f"cannot create a container from {base_image}"):
            container = self._api.create_container(
                base_image,
                entrypoint=[shell, "-c", KEEP_ALIVE],
                name=name,
                labels={BUILD_LABEL: "1", OWNER_LABEL: owner_label()},
            )
        container_id = str(container["Id"])
        try:
            with _engine_errors(f"cannot start {shell} in {base_image}"):
                self._api.start(container_id)
        except ImageError:
            self.remove_container(container_id)
            raise
        return BuildContainer(container_id, name, base_image, shell)

    def copy_into(
        self,
        container_id: str,
        local_dir: str | Path,
        dest: str,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Stream local_dir into the container as dest (created if missing, replaced file by file, owned by
        root), without what its .dockerignore leaves out of a `docker build`; returns the bytes sent. on_progress
        is called from this thread as chunks go out; setting `cancel` stops the upload at the next chunk
        (CopyCancelled; what arrived so far stays in the container)."""
        root = Path(local_dir)
        if not root.is_dir():
            raise ImageError(f"cannot copy {root}: not a folder")
        if not dest.startswith("/"):
            raise ImageError(f"the destination in the container must be an absolute path, not {dest!r}")
        archive = TarStream(root, copied_paths(root), prefix=dest, on_progress=on_progress)
        path = engine_path("/containers/{}/archive", container_id)
        call = EngineCall(self._api, "PUT", path)

        def body() -> Iterator[bytes]:
            for chunk in archive:
                if cancel is not None and cancel.is_set():
                    call.cancel()  # the call stops before this chunk goes out
                yield chunk

        try:
            call.result(EngineRequest({"path": "/"}, body=body()))
        except ImageError as exc:
            if call.cancelled:
                raise CopyCancelled(f"copy of {root} cancelled: {dest} may hold part of it") from exc
            raise ImageError(f"cannot copy {root} into the container: {exc}") from exc
        return archive.total_bytes

    def commit(
        self,
        container_id: str,
        ref: ImageRef,
        cmd: Sequence[str] | None = None,
        entrypoint: Sequence[str] | None = None,
        workdir: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """The container's filesystem as image ref; returns the image id. CMD and ENTRYPOINT default to the
        base image's. Sent as a config rather than `changes`: commit ignores `ENTRYPOINT []`, so the keep-alive
        command could not be cleared, and ENV values would need Dockerfile quoting."""
        with _engine_errors(f"cannot commit {container_id}"):
            image_id = self._api.inspect_container(container_id)["Image"]
            base = self._client.images.get(image_id).attrs.get("Config") or {}
        config: dict[str, Any] = {
            "Entrypoint": list(entrypoint) if entrypoint is not None else base.get("Entrypoint") or [],
            "Cmd": list(cmd) if cmd is not None else base.get("Cmd") or [],
        }
        if workdir:
            config["WorkingDir"] = workdir
        if env:
            config["Env"] = [f"{key}={value}" for key, value in env.items()]
        params = {"container": container_id, "repo": ref.name, "tag": ref.tag_or_latest}
        call = EngineCall(self._api, "POST", "/commit")
        try:
            return str(call.result(EngineRequest(params, json_body=config))["Id"])
        except ImageError as exc:
            raise ImageError(f"cannot commit {container_id} as {ref}: {exc}") from exc

    def remove_container(self, container_id: str) -> None:
        """Stop and delete a build container; one already gone is fine."""
        with _engine_errors(f"cannot remove container {container_id}"), suppress(NotFound):
            self._api.remove_container(container_id, force=True, v=True)
