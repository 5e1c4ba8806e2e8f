"""Remembers the last image reference pushed, so the deploy screen can put it into the pod YAML, and tells whether an
image is the one that push sent (the loop does not push the same image again under a new tag)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from tui.models.images.image import ImageRef
from tui.models.xdg import state_dir


class LastPushed:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "last-pushed.json"

    def get(self) -> str | None:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        reference = data.get("reference") if isinstance(data, dict) else None
        return str(reference) if reference else None

    def set(self, reference: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"reference": reference}))
        temporary.replace(self.path)


def last_push_of(last_pushed: str | None, repository: str, repo_digests: Iterable[str]) -> ImageRef | None:
    """The last push (tag and digest) when it sent this very image to `repository`: the engine notes the digest a
    push got on the image pushed (`RepoDigests`, `name@sha256:…`), and a new build of changed content has none."""
    last, wanted = _parsed(last_pushed or ""), _parsed(repository)
    if last is None or wanted is None or not (last.tag and last.digest) or last.name != wanted.name:
        return None
    for text in repo_digests:
        known = _parsed(text)
        if known is not None and known.name == last.name and known.digest == last.digest:
            return last
    return None


def _parsed(text: str) -> ImageRef | None:
    try:
        return ImageRef.parse(text) if text else None
    except ValueError:
        return None  # an unreadable reference names no image: the loop pushes
