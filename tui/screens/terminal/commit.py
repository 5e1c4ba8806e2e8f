"""Committing an interactive build's container to an image from its Terminal tab: the form (name:tag suggested,
optional CMD, ENTRYPOINT, WORKDIR and ENV, remove the container afterwards, as `C` on the Images screen asks), its
check, and the commit itself."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from tui.models.images.image import ImageRef, next_version
from tui.screens.common.failures import Notice
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.services.images.images import ImageService


@dataclass(frozen=True)
class CommitRequest:
    ref: ImageRef
    cmd: list[str] | None
    entrypoint: list[str] | None
    workdir: str | None
    env: dict[str, str] | None
    remove: bool

    @classmethod
    def from_values(cls, values: FormValues) -> CommitRequest:
        """The form's values, checked; ValueError says what is wrong, in words."""
        try:
            ref = ImageRef.parse(str(values["tag"]))
        except ValueError as exc:
            raise ValueError(f"Commit as: {exc}") from exc
        return cls(
            ref,
            _words("CMD", str(values["cmd"])),
            _words("ENTRYPOINT", str(values["entrypoint"])),
            str(values["workdir"]) or None,
            _env(str(values["env"])),
            bool(values["remove"]),
        )


def _words(what: str, text: str) -> list[str] | None:
    try:
        return shlex.split(text) or None
    except ValueError as exc:  # "No closing quotation"
        raise ValueError(f"{what}: {str(exc).lower()} in {text!r}") from exc


def _env(text: str) -> dict[str, str] | None:
    env: dict[str, str] = {}
    for item in text.split():
        key, equals, value = item.partition("=")
        if not key or not equals:
            raise ValueError(f"ENV: {item!r} is not KEY=value (pairs separated by spaces)")
        env[key] = value
    return env or None


def check_commit(values: FormValues) -> str | None:
    """For the form: what is wrong with its values, or None."""
    try:
        CommitRequest.from_values(values)
    except ValueError as exc:
        return str(exc)
    return None


def suggested_ref(last_pushed: str | None) -> str:
    """One up from the last push ("…/train:0.1" → "…/train:0.2"): the next version of the image being worked on;
    "" when nothing was pushed or its tag has no number."""
    try:
        last = ImageRef.parse(last_pushed) if last_pushed else None
    except ValueError:
        return ""
    bumped = next_version(last.tag) if last is not None and last.tag else None
    return str(last.with_tag(bumped)) if last is not None and bumped else ""


def commit_form(container_name: str, base_image: str, last_pushed: str | None) -> FormScreen:
    suggestion = suggested_ref(last_pushed)
    fields = [
        Field("tag", "Commit as", suggestion, placeholder="127.0.0.1:5000/team/train:0.1", required=True),
        Field("cmd", "CMD (optional)", placeholder="python /app/train.py"),
        Field("entrypoint", "ENTRYPOINT (optional)"),
        Field("workdir", "WORKDIR (optional)", placeholder="/app"),
        Field("env", "ENV (optional)", placeholder="KEY=value KEY2=value"),
        Field("remove", "Remove the build container afterwards", "yes", switch=True),
    ]
    note = f"Suggested: one up from the last push, {last_pushed}." if suggestion else ""
    title = f"Commit {container_name} (from {base_image})" if base_image else f"Commit {container_name}"
    return FormScreen(title, fields, "Commit", note, check=check_commit)


def commit_container(
    service: ImageService, container_id: str, request: CommitRequest, say: Callable[[Notice], object]
) -> bool:
    """Commit, then remove the container when asked; each outcome is said through `say` (from a worker: the
    screen's post_message). True once the image exists. Blocks: call it from a worker."""
    try:
        image_id = service.commit(
            container_id, request.ref, request.cmd, request.entrypoint, request.workdir, request.env
        )
    except Exception as exc:
        say(Notice(str(exc), title="Commit", severity="error", timeout=10, error=exc))
        return False
    say(Notice(f"committed {request.ref} ({image_id[:19]})", title="Commit"))
    if request.remove:
        try:
            service.remove_container(container_id)
        except Exception as exc:
            say(Notice(str(exc), title="Remove container", severity="error", error=exc))
    return True
