"""The metrics API's answers as the state the columns show, in words."""

import json

from kubernetes.client.exceptions import ApiException

from tui.models.metrics.usage import NOT_INSTALLED
from tui.services.metrics.metrics import metrics_state


def answer(status: int, message: str = "") -> ApiException:
    exc = ApiException(status=status, reason="Reason")
    exc.body = json.dumps({"kind": "Status", "message": message}) if message else "404 page not found"
    return exc


def test_each_answer_has_its_words() -> None:
    assert metrics_state(answer(404)) == NOT_INSTALLED
    assert metrics_state(answer(503, "the server is currently unable to handle the request")) == (
        "metrics: not available — metrics-server is installed but does not answer (service unavailable)"
    )
    assert metrics_state(answer(403, 'pods.metrics.k8s.io is forbidden: User "u" cannot list')) == (
        'metrics: not allowed — forbidden: pods.metrics.k8s.io is forbidden: User "u" cannot list'
    )
    assert metrics_state(answer(500, "boom")) == "metrics: not available — HTTP 500 Reason: boom"
