"""What the Push screen's repository and tag fields may hold, checked before anything is tagged or pushed.

A value a stray key press damaged (`0.24?`, or `44` from the number keys typed while a field had focus) is refused
with why, rather than pushed or "corrected" silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.models.images.image import DEFAULT_TAG, ImageRef

EXAMPLE_REPOSITORY = "127.0.0.1:5000/team/app"
MAX_TAG_LENGTH = 128
_TAG_CHARACTER = re.compile(r"[A-Za-z0-9_.-]")


@dataclass(frozen=True)
class FieldProblem:
    """Why one field's value cannot be pushed; `field` is "repository" or "tag"."""

    field: str
    text: str


def tag_problem(tag: str) -> str | None:
    """Why `tag` is not a docker tag (letters, digits, _ . -; not first . or -; at most 128), or None."""
    if not tag:
        return None
    bad = sorted({character for character in tag if not _TAG_CHARACTER.fullmatch(character)}, key=tag.index)
    if bad:
        shown = " ".join(repr(character) for character in bad)
        return f"{tag} is not a tag: {shown} cannot be in a tag (letters, digits, _ . - only)"
    if tag[0] in ".-":
        return f"{tag} is not a tag: a tag cannot start with {tag[0]!r}"
    if len(tag) > MAX_TAG_LENGTH:
        return f"a tag has at most {MAX_TAG_LENGTH} characters, this one {len(tag)}"
    return None


def repository_problem(repository: str) -> str | None:
    """Why `repository` is not something to push to (host/path/name, lowercase, without tag or digest), or None."""
    if not repository:
        return f"name the repository to push to, such as {EXAMPLE_REPOSITORY}"
    expected = f"expected host/path/name such as {EXAMPLE_REPOSITORY}"
    if any(character.isspace() for character in repository):
        return f"{repository!r} is not a repository: it has a space in it ({expected})"
    if "@" in repository:
        return f"{repository} is not a repository: leave the digest (@…) out"
    if "/" not in repository:
        # A bare name would go to Docker Hub's official library/, which nobody pushes to by accident.
        typed = " (number keys typed while a field has focus go into the field)" if repository.isdigit() else ""
        return f"{repository} is not a repository: {expected}{typed}"
    try:
        ref = ImageRef.parse(repository)
    except ValueError as exc:
        return f"{repository} is not a repository: {exc}"
    if ref.tag is not None:
        return f"{repository} has a tag in it: put {ref.tag} in the Tag field and {ref.name} here"
    return None


def push_target(repository: str, tag: str) -> ImageRef | FieldProblem:
    """The reference to push to, or the first field's problem; an empty tag means `latest`, as for docker."""
    problem = repository_problem(repository)
    if problem:
        return FieldProblem("repository", problem)
    problem = tag_problem(tag)
    if problem:
        return FieldProblem("tag", problem)
    return ImageRef.parse(f"{repository}:{tag or DEFAULT_TAG}")
