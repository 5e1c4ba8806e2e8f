"""A refused manifest is said in short words on the Deploy screen (the field as written, the value, the field meant),
with the API server's own message kept under them, against the real API server."""

from __future__ import annotations

import pytest

from tests.e2e.test_deploy import follow_text, open_deploy
from tests.support.app import SIZE, make_app, settle
from tests.support.stack import StackEnv, kubectl
from tests.support.state import own_state

__all__ = ["own_state"]  # the fixture, used here too (autouse)

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - {container}\n"


@pytest.mark.parametrize(
    ("name", "container", "words", "api_words"),
    [
        (
            "misspelt",
            "{name: main, imagee: busybox}",
            "pod/misspelt refused: unknown field 'imagee' in spec.containers[0] (did you mean 'image'?)",
            '.spec.containers[name="main"].imagee: field not declared in schema',
        ),
        (
            "quantity",
            "{name: main, image: busybox, resources: {limits: {memory: 2GG}}}",
            "pod/quantity refused: spec.containers[0].resources.limits.memory: '2GG' is not a quantity",
            "unable to parse quantity's suffix",
        ),
        (
            "typed",
            "{name: main, image: busybox, args: --epochs 3}",
            "pod/typed refused: spec.containers[0].args must be a list, not '--epochs 3' (a string)",
            '.spec.containers[name="main"].args: expected list',
        ),
    ],
)
async def test_a_refused_manifest_names_the_field_as_written_and_keeps_the_apis_words(
    stack: StackEnv, namespace: str, name: str, container: str, words: str, api_words: str
) -> None:
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deploy(pilot, app)
        text = POD.format(name=name, container=container)
        screen.editor.load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "refused" in follow_text(app), what="the refusal")
        shown = follow_text(app)
        assert words in shown, shown
        assert "(the API server said: " in shown and api_words in shown, shown
        assert screen.editor.text == text  # nothing lost
    assert kubectl(stack, "get", "pods", "-n", namespace, "-o", "name") == ""
