"""The applier's refusals against the real API server: in short words (field as written, value, the field meant)
with the API's own message kept, the same for the dry run before a replacement as for the apply itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.stack import StackEnv, kubectl
from tui.services.deploy.apply import AppliedManifests, ApplyFailed, PodApplier
from tui.services.kube.kube import KubeService
from tui.services.transfer.claim_mounts import ClaimMountStore


def pod(pod_name: str, **container: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod_name}, "spec": {"containers": [container]}}


@pytest.fixture
def applier(stack: StackEnv, tmp_path: Path) -> PodApplier:
    return PodApplier(KubeService(stack.kubeconfig), AppliedManifests(tmp_path / "applied"), ClaimMountStore(tmp_path))


CASES = [
    (
        pod("misspelt", name="main", imagee="busybox"),
        "pod/misspelt refused: unknown field 'imagee' in spec.containers[0] (did you mean 'image'?)",
        "field not declared in schema",
    ),
    (
        pod("quantity", name="main", image="busybox", resources={"limits": {"memory": "2GG"}}),
        "pod/quantity refused: spec.containers[0].resources.limits.memory: '2GG' is not a quantity",
        "unable to parse quantity's suffix",
    ),
    (
        pod("typed", name="main", image="busybox", env=[{"name": "EPOCHS", "value": 3}]),
        "pod/typed refused: spec.containers[0].env[0].value must be a string, not 3 (a number): quote it",
        "expected string",
    ),
    (
        pod("required", name="main"),
        "pod/required refused: spec.containers[0].image is required",
        "spec.containers[0].image: Required value",
    ),
    (
        pod("Bad_Name", name="main", image="busybox"),
        'pod/Bad_Name refused: metadata.name "Bad_Name',
        "regex used for validation",
    ),
]


@pytest.mark.parametrize(("manifest", "words", "api_words"), CASES)
def test_apply_and_the_dry_run_before_a_replacement_say_the_same_short_words(
    stack: StackEnv, namespace: str, applier: PodApplier, manifest: dict[str, Any], words: str, api_words: str
) -> None:
    for attempt in (applier.check, applier.apply):
        with pytest.raises(ApplyFailed) as refused:
            attempt(namespace, [manifest])
        first, detail = str(refused.value).split("\n")
        assert first.startswith(words), first
        assert detail.startswith("(the API server said: ") and api_words in detail, detail
    assert kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == ""


def test_the_dry_run_takes_a_quantity_written_as_a_number_as_the_apply_does(
    stack: StackEnv, namespace: str, applier: PodApplier
) -> None:
    """Review finding: the dry run created through the client's models, which refuse `nvidia.com/gpu: 1` (a YAML
    number) that the API server takes, so a fan-out of GPU pods could not be replaced."""
    manifest = pod("gpu", name="main", image="busybox", resources={"limits": {"cpu": 1, "nvidia.com/gpu": 1}})
    applier.check(namespace, [manifest])
    assert kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == ""  # a dry run: nothing made


def test_a_change_to_a_pod_keeps_the_apis_words_and_the_advice_to_delete_it_first(
    stack: StackEnv, namespace: str, applier: PodApplier
) -> None:
    """A forbidden change comes with the API's diff: nothing shorter to say, so its words and the advice stay."""
    applier.apply(namespace, [pod("exp", name="main", image="busybox", args=["1"])])
    with pytest.raises(ApplyFailed) as refused:
        applier.apply(namespace, [pod("exp", name="main", image="busybox", args=["2"])])
    said = str(refused.value)
    assert said.startswith('pod/exp refused: Pod "exp" is invalid: spec: Forbidden: pod updates may not change'), said
    assert said.endswith("→ a pod cannot be changed once created: delete pod exp first, or give this one a new name")
    assert "(the API server said" not in said
