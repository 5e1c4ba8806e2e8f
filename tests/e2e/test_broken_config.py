"""A broken kubeconfig, against the real stack: the app's status line and `k8sx-tui doctor` say what is wrong with
which file, in words; never an exception's class name or a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.test_doctor import doctor
from tests.support.app import make_app, settle, status_text
from tests.support.stack import StackEnv, kubeconfig_with_server

WIDE = (300, 30)  # the whole reason fits on the status line, however long the test's folder
RAW_CLASS = re.compile(r"\b[A-Z]\w*(Error|Exception)\b|Traceback|HTTPConnectionPool")


def garbage(path: Path, _: dict[str, Any]) -> str:
    path.write_text('apiVersion: v1\nclusters: [\n  - {name: x\n: : :\n\t"oops')
    return "not valid YAML (line 3, column 3: expected the node content, but found '-')"


def binary(path: Path, _: dict[str, Any]) -> str:
    path.write_bytes(b"\x87\xfe\x00\x01kubeconfig?\xff" * 20)
    return "not a text file"


def a_list(path: Path, _: dict[str, Any]) -> str:
    path.write_text("- apiVersion: v1\n- kind: Config\n")
    return "not a kubeconfig (a YAML list, not a mapping)"


def missing_user(path: Path, config: dict[str, Any]) -> str:
    config["contexts"][0]["context"]["user"] = "ghost"
    path.write_text(yaml.safe_dump(config))
    return "context 'k8sx-local' names user 'ghost', which is not defined"


def missing_cluster(path: Path, config: dict[str, Any]) -> str:
    config["contexts"][0]["context"]["cluster"] = "ghost"
    path.write_text(yaml.safe_dump(config))
    return "context 'k8sx-local' names cluster 'ghost', which is not defined"


def missing_certificate(path: Path, config: dict[str, Any]) -> str:
    config["clusters"][0]["cluster"]["certificate-authority"] = "/no/such/ca.crt"
    path.write_text(yaml.safe_dump(config))
    return "context 'k8sx-local' cannot be used: File does not exist: /no/such/ca.crt"


BROKEN: dict[str, Callable[[Path, dict[str, Any]], str]] = {
    "garbage YAML": garbage,
    "binary bytes": binary,
    "a list, not a mapping": a_list,
    "a context whose user is missing": missing_user,
    "a context whose cluster is missing": missing_cluster,
    "a certificate file that is missing": missing_certificate,
}


def broken_kubeconfig(stack: StackEnv, tmp_path: Path, case: str) -> tuple[Path, str]:
    """The stack's kubeconfig broken as `case` says; returns its path and the words that say what is wrong."""
    path = tmp_path / "broken.kubeconfig"
    words = BROKEN[case](path, yaml.safe_load(Path(stack.kubeconfig).read_text()))
    return path, words


@pytest.mark.parametrize("case", BROKEN)
async def test_a_broken_kubeconfig_is_named_in_words_on_the_status_line(
    stack: StackEnv, tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    path, words = broken_kubeconfig(stack, tmp_path, case)
    caplog.set_level(logging.WARNING, logger="tui")
    app = make_app(str(path), stack.docker_host)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, lambda: "cluster ✗" in status_text(app) and app.engine_health.is_up, what="report")
        text = status_text(app)
        assert f"cluster ✗ unreachable: kubeconfig {path}: {words}" in text
        assert not RAW_CLASS.search(text), text
        assert "docker ● Docker" in text
    # The details (the exception and its causes) are in the diagnostic log, once.
    logged = [r for r in caplog.records if r.name.startswith("tui.services.kube") and words in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None


@pytest.mark.parametrize("case", BROKEN)
def test_the_doctor_names_the_broken_kubeconfig_and_exits_1_without_a_traceback(
    stack: StackEnv, tmp_path: Path, case: str
) -> None:
    path, words = broken_kubeconfig(stack, tmp_path, case)
    done = doctor(stack, tmp_path, "--kubeconfig", str(path), "doctor", timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"failed  kubernetes kubeconfig: {path}: {words}" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert not RAW_CLASS.search(done.stdout), done.stdout
    assert "API server" not in done.stdout  # nothing to ask a server with
    assert "ok      tools      kubectl" in done.stdout  # the checks after it still ran


async def test_a_server_address_that_is_not_an_address_is_said_in_words(stack: StackEnv, tmp_path: Path) -> None:
    path = kubeconfig_with_server(stack, tmp_path, "https://not a host:6443")
    app = make_app(path, stack.docker_host)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, lambda: "cluster ✗" in status_text(app), what="report")
        assert "cluster ✗ unreachable: cannot reach https://not a host:6443: not a valid address" in status_text(app)
        assert not RAW_CLASS.search(status_text(app))
