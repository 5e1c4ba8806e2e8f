"""Whether an image just built is the one the last push sent: the engine's RepoDigests of the image name the
repository and the digest that push got."""

from __future__ import annotations

import pytest

from tui.services.images.last_pushed import last_push_of

DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
LAST = f"127.0.0.1:5000/team/train:0.3@{DIGEST}"


def test_the_image_the_last_push_sent_is_that_push() -> None:
    found = last_push_of(
        LAST, "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/other@{DIGEST}", f"127.0.0.1:5000/team/train@{DIGEST}"]
    )
    assert str(found) == LAST


@pytest.mark.parametrize(
    ("last", "repository", "digests"),
    [
        (LAST, "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/team/train@{OTHER}"]),  # changed content
        (LAST, "127.0.0.1:5000/team/train", []),  # a new build: never pushed
        (LAST, "127.0.0.1:5000/team/eval", [f"127.0.0.1:5000/team/eval@{DIGEST}"]),  # the last push was elsewhere
        (LAST, "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/team/other@{DIGEST}"]),  # same content, other repo
        ("127.0.0.1:5000/team/train:0.3", "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/team/train@{DIGEST}"]),
        (None, "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/team/train@{DIGEST}"]),
        ("not a reference!", "127.0.0.1:5000/team/train", [f"127.0.0.1:5000/team/train@{DIGEST}"]),
    ],
)
def test_anything_else_is_pushed(last: str | None, repository: str, digests: list[str]) -> None:
    assert last_push_of(last, repository, digests) is None


def test_docker_hubs_short_names_and_unreadable_entries() -> None:
    last = f"docker.io/team/train:1@{DIGEST}"
    assert str(last_push_of(last, "team/train", ["<none>@<none>", f"team/train@{DIGEST}"])) == last
