"""The diagnostic log's pure parts: where it lives and what it never says."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from tui.diagnostic_log import default_log_path, redact, start_log, stop_log


def test_the_log_lives_under_xdg_state_home_and_a_relative_one_is_ignored() -> None:
    assert default_log_path({"XDG_STATE_HOME": "/s", "HOME": "/h"}) == Path("/s/k8sx-tui/k8sx-tui.log")
    assert default_log_path({"XDG_STATE_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/state/k8sx-tui/k8sx-tui.log")


def test_redact_blanks_tokens_headers_and_urls_and_keeps_the_rest() -> None:
    assert redact("Authorization: Bearer abc.def-ghi") == "Authorization: ***"
    assert redact("curl -H 'authorization=Basic dXNlcjpwYXNz'") == "curl -H 'authorization=***'"
    assert redact("GET https://me:hunter2@registry.local/v2/") == "GET https://me:***@registry.local/v2/"
    assert (
        redact('{"identitytoken": "t0k3n", "serveraddress": "r"}') == '{"identitytoken": "***", "serveraddress": "r"}'
    )
    assert redact("pull of /persistent/out failed: no such file") == "pull of /persistent/out failed: no such file"


def test_a_traceback_in_the_log_is_blanked_too(tmp_path: Path) -> None:
    path = tmp_path / "k.log"
    assert start_log(path, "info") is None
    try:
        try:
            raise RuntimeError("token=s3cr3t rejected")
        except RuntimeError:
            logging.getLogger("tui.test").exception("login failed")
    finally:
        stop_log()
    text = path.read_text()
    assert "login failed" in text and "RuntimeError: token=***" in text and "s3cr3t" not in text


def test_without_a_log_file_a_warning_never_reaches_the_terminal_the_app_draws_on() -> None:
    code = "import logging, tui.services.kube.request_log as r; r.log.warning('GET /api/v1/pods: 404 Not Found')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
