"""Image references as the docker CLI reads them, Artifact Registry names, and the next version of a tag."""

from __future__ import annotations

import pytest

from tui.models.images.image import (
    ImageRef,
    LayeredProgress,
    LayerProgress,
    artifact_registry_ref,
    is_artifact_registry_host,
    next_version,
)

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("busybox", "docker.io", "library/busybox", None, None),
        ("python:3.11-slim", "docker.io", "library/python", "3.11-slim", None),
        ("jupyter/scipy-notebook:2024", "docker.io", "jupyter/scipy-notebook", "2024", None),
        ("index.docker.io/library/busybox:1", "docker.io", "library/busybox", "1", None),
        ("localhost:5000/x", "localhost:5000", "x", None, None),
        ("localhost/team/x:1", "localhost", "team/x", "1", None),
        ("127.0.0.1:5000/team/model:0.1", "127.0.0.1:5000", "team/model", "0.1", None),
        (
            "europe-west2-docker.pkg.dev/my-proj/experiments/trainer:0.3",
            "europe-west2-docker.pkg.dev",
            "my-proj/experiments/trainer",
            "0.3",
            None,
        ),
        (f"127.0.0.1:5000/x@{DIGEST}", "127.0.0.1:5000", "x", None, DIGEST),
        (f"127.0.0.1:5000/x:1@{DIGEST}", "127.0.0.1:5000", "x", "1", DIGEST),
        ("[::1]:5000/x:2", "[::1]:5000", "x", "2", None),
    ],
)
def test_any_reference_the_docker_cli_takes_is_read_into_its_parts(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


def test_a_reference_prints_fully_qualified_so_it_means_the_same_everywhere() -> None:
    assert str(ImageRef.parse("busybox")) == "docker.io/library/busybox"
    assert str(ImageRef.parse("127.0.0.1:5000/team/model:0.1")) == "127.0.0.1:5000/team/model:0.1"
    assert str(ImageRef.parse(f"127.0.0.1:5000/x:1@{DIGEST}")) == f"127.0.0.1:5000/x:1@{DIGEST}"
    assert ImageRef.parse("localhost:5000/x").name == "localhost:5000/x"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("MyImage", "lowercase"),
        ("127.0.0.1:5000/Team/x", "lowercase"),
        ("x:has space", "invalid tag"),
        ("x:" + "a" * 129, "invalid tag"),
        ("x@sha256:short", "invalid digest"),
        ("team//x", "invalid repository path"),
        ("", "invalid repository path"),
        ("bad_host.com:5000:/x", "invalid"),
    ],
)
def test_a_reference_dockerd_would_refuse_is_refused_with_the_reason(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        ImageRef.parse(text)


def test_a_new_tag_keeps_the_repository_and_drops_the_old_digest() -> None:
    pinned = ImageRef.parse(f"127.0.0.1:5000/team/model:0.1@{DIGEST}")
    assert str(pinned.with_tag("0.2")) == "127.0.0.1:5000/team/model:0.2"
    assert pinned.with_tag("0.2").with_digest(DIGEST).digest == DIGEST
    with pytest.raises(ValueError, match="invalid tag"):
        pinned.with_tag("no spaces please")


def test_an_untagged_reference_pushes_as_latest_like_the_docker_cli() -> None:
    assert ImageRef.parse("127.0.0.1:5000/x").tag_or_latest == "latest"
    assert ImageRef.parse("127.0.0.1:5000/x:7").tag_or_latest == "7"


def test_artifact_registry_names_are_built_from_their_five_parts() -> None:
    ref = artifact_registry_ref("europe-west2", "my-proj", "experiments", "trainer", "0.1")
    assert str(ref) == "europe-west2-docker.pkg.dev/my-proj/experiments/trainer:0.1"
    assert is_artifact_registry_host(ref.registry)
    assert not is_artifact_registry_host("127.0.0.1:5000")


def test_an_artifact_registry_name_with_a_blank_part_says_which_part_is_missing() -> None:
    with pytest.raises(ValueError, match="needs a project, tag"):
        artifact_registry_ref("europe-west2", " ", "experiments", "trainer", "")
    with pytest.raises(ValueError, match="lowercase"):
        artifact_registry_ref("europe-west2", "my-proj", "Experiments", "trainer", "1")


@pytest.mark.parametrize(
    ("tag", "following"),
    [
        ("0.1", "0.2"),
        ("1.9", "1.10"),
        ("v3", "v4"),
        ("1.2.3", "1.2.4"),
        ("exp-7-gpu", "exp-8-gpu"),
        ("run007", "run008"),
        ("099", "100"),
        ("latest", None),
        ("gpu", None),
    ],
)
def test_the_next_version_raises_the_last_number_of_the_tag(tag: str, following: str | None) -> None:
    assert next_version(tag) == following


def test_transfer_totals_count_finished_layers_as_complete_even_when_their_last_message_has_no_bytes() -> None:
    ref = ImageRef.parse("127.0.0.1:5000/x:1")
    progress = LayeredProgress(
        ref,
        (
            LayerProgress("aaaaaaaaaaaa", "Pushing", 300, 1000),
            LayerProgress("bbbbbbbbbbbb", "Pushed", 0, 500),
            LayerProgress("cccccccccccc", "Layer already exists", 0, None),
        ),
        status="",
        digest=None,
    )
    assert (progress.layers_done, progress.current_bytes, progress.total_bytes) == (2, 800, 1500)
    assert progress.finished_ref is None
    done = LayeredProgress(ref, progress.layers, "1: digest", DIGEST)
    assert str(done.finished_ref) == f"127.0.0.1:5000/x:1@{DIGEST}"
