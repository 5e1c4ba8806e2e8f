"""What a run says of itself in the Runs list: the image's tag (also when the loop pinned it by digest), and no
failure for a run deleted while it ran (the deletion ended its containers)."""

from __future__ import annotations

from dataclasses import replace

from tui.models.runs.run import ContainerEnd, Run

RUN = Run(id="r", name="train", kind="Pod", namespace="ns", context="c", server="", created=0.0, manifest="", images=())
KILLED = (ContainerEnd("main", "terminated", exit_code=137, reason="Error"),)


def test_the_tag_is_shown_for_a_reference_pinned_by_digest_and_the_digest_without_a_tag() -> None:
    digest = "sha256:" + "b" * 64
    assert replace(RUN, images=(f"127.0.0.1:5000/k8sx/preprocess:0.2@{digest}",)).image_tag == "0.2"
    assert replace(RUN, images=(f"127.0.0.1:5000/k8sx/preprocess@{digest}",)).image_tag == digest[:19]
    assert replace(RUN, images=("127.0.0.1:5000/k8sx/preprocess",)).image_tag == "latest"
    assert replace(RUN, images=("registry:5000/team/train:0.3",)).image_tag == "0.3"


def test_a_run_deleted_while_it_ran_has_no_failure_a_failed_one_has() -> None:
    assert replace(RUN, phase="Deleted", containers=KILLED).failure == ""
    assert replace(RUN, phase="Failed", containers=KILLED).failure == "main: Error, exit 137"
