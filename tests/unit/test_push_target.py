"""What the Push screen's repository and tag fields may hold: a damaged value is refused with why."""

from __future__ import annotations

import pytest

from tui.models.images.image import ImageRef
from tui.models.images.push_target import FieldProblem, push_target, repository_problem, tag_problem

EXPECTED = "expected host/path/name such as 127.0.0.1:5000/team/app"


@pytest.mark.parametrize("tag", ["", "0.1", "v3", "latest", "0.24-rc_1", "A" * 128, "_x"])
def test_a_docker_tag_is_fine(tag: str) -> None:
    assert tag_problem(tag) is None


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("0.24?", "0.24? is not a tag: '?' cannot be in a tag (letters, digits, _ . - only)"),
        ("0.2 4", "0.2 4 is not a tag: ' ' cannot be in a tag (letters, digits, _ . - only)"),
        ("ver/1:2", "ver/1:2 is not a tag: '/' ':' cannot be in a tag (letters, digits, _ . - only)"),
        ("0.2é", "0.2é is not a tag: 'é' cannot be in a tag (letters, digits, _ . - only)"),
        ("-1", "-1 is not a tag: a tag cannot start with '-'"),
        ("." + "1" * 10, ".1111111111 is not a tag: a tag cannot start with '.'"),
        ("1" * 129, "a tag has at most 128 characters, this one 129"),
    ],
)
def test_a_damaged_tag_is_refused_with_why(tag: str, problem: str) -> None:
    assert tag_problem(tag) == problem


@pytest.mark.parametrize(
    "repository",
    ["127.0.0.1:5000/team/app", "localhost/app", "europe-west2-docker.pkg.dev/p/r/img", "someone/app", "[::1]:5000/x"],
)
def test_a_repository_to_push_to_is_fine(repository: str) -> None:
    assert repository_problem(repository) is None


@pytest.mark.parametrize(
    ("repository", "problem"),
    [
        ("", "name the repository to push to, such as 127.0.0.1:5000/team/app"),
        ("44", f"44 is not a repository: {EXPECTED} (number keys typed while a field has focus go into the field)"),
        ("trainer", f"trainer is not a repository: {EXPECTED}"),
        ("127.0.0.1:5000", f"127.0.0.1:5000 is not a repository: {EXPECTED}"),
        (
            "127.0.0.1:5000/team app",
            f"'127.0.0.1:5000/team app' is not a repository: it has a space in it ({EXPECTED})",
        ),
        ("127.0.0.1:5000/app@sha256:ab", "127.0.0.1:5000/app@sha256:ab is not a repository: leave the digest (@…) out"),
        (
            "127.0.0.1:5000/app:0.3",
            "127.0.0.1:5000/app:0.3 has a tag in it: put 0.3 in the Tag field and 127.0.0.1:5000/app here",
        ),
        ("127.0.0.1:5000/Team/app", "127.0.0.1:5000/Team/app is not a repository: repository name must be lowercase: "),
        ("127.0.0.1:5000/team//app", "127.0.0.1:5000/team//app is not a repository: invalid repository path "),
    ],
)
def test_a_repository_that_is_not_one_is_refused_with_why(repository: str, problem: str) -> None:
    said = repository_problem(repository)
    assert said is not None and said.startswith(problem), said


def test_the_target_is_the_reference_or_the_first_fields_problem() -> None:
    assert push_target("127.0.0.1:5000/team/app", "0.2") == ImageRef.parse("127.0.0.1:5000/team/app:0.2")
    assert push_target("127.0.0.1:5000/team/app", "") == ImageRef.parse("127.0.0.1:5000/team/app:latest")
    assert push_target("44", "0.24?") == FieldProblem("repository", repository_problem("44") or "")
    assert push_target("127.0.0.1:5000/team/app", "0.24?") == FieldProblem("tag", tag_problem("0.24?") or "")


def test_a_reference_with_a_non_ascii_tag_is_refused_as_dockerd_would() -> None:
    with pytest.raises(ValueError, match="invalid tag"):
        ImageRef.parse("127.0.0.1:5000/team/app:0.2é")  # Python's \w alone would take the é
