"""How an exec ended, from the Status on its error channel (the same for SPDY and websockets)."""

import json

from tui.services.exec.outcome import outcome_of, status_of


def test_success_a_failure_with_its_exit_code_words_that_are_not_json_and_no_status() -> None:
    assert outcome_of(status_of(b'{"metadata":{},"status":"Success"}'), b"", "").succeeded
    failed = {
        "status": "Failure",
        "message": "command terminated with non-zero exit code",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }
    outcome = outcome_of(status_of(json.dumps(failed).encode()), b"oops\n", "")
    assert (outcome.exit_code, outcome.succeeded, outcome.stderr) == (3, False, b"oops\n")
    assert outcome.message == "command terminated with non-zero exit code"
    assert outcome_of(status_of(b"not json"), b"", "").message == "not json"
    assert outcome_of(status_of(b"[1]"), b"", "").message == "[1]"
    cut = outcome_of(None, b"", "the connection to the pod was cut")
    assert (cut.exit_code, cut.message) == (None, "the connection to the pod was cut")
