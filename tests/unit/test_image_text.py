"""The pushed image written into a pod YAML by changing only its image values: comments and layout stay."""

from __future__ import annotations

from tui.models.deploy.image_text import replace_image_in_text

POD = """\
# the tutorial's pod.yml
apiVersion: v1
kind: Pod
metadata: {name: exp}   # NB: bump the version
spec:
  containers:
  - name: main
    image: "127.0.0.1:5000/team/train:0.1"   # the trainer
    args: [--epochs, "3"]
  - {name: side, image: busybox:1.36}
"""


def test_only_the_image_changes_and_comments_stay() -> None:
    changed = replace_image_in_text(POD, "127.0.0.1:5000/team/train:0.2")
    assert changed == POD.replace("train:0.1", "train:0.2")


def test_a_flow_mapping_image_is_changed_in_place() -> None:
    text = "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: m, image: x:1}]}  # one line\n"
    assert replace_image_in_text(text, "127.0.0.1:5000/x:2") == text.replace("x:1", "127.0.0.1:5000/x:2")


def test_nothing_to_change_gives_the_text_back() -> None:
    assert replace_image_in_text(POD, "127.0.0.1:5000/team/train:0.1") == POD


def test_a_text_that_cannot_be_changed_in_place_is_refused() -> None:
    # Two containers with the same image of another repository: only the first is meant, the text cannot say which.
    text = (
        "kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: a, image: x:1}\n  - {name: b, image: x:1}\n"
    )
    assert replace_image_in_text(text, "127.0.0.1:5000/y:2") is None
    assert replace_image_in_text("kind: Pod\nmetadata: [", "y:2") is None
