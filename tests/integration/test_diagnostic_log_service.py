"""The diagnostic log with the services against the real stack: a registry password that goes through a push
(wrong, then right) never reaches the log, nor what a careless log line would write. Launching the app and the
doctor with the log: tests/e2e/test_diagnostic_log.py."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.support.docker_config import write_config
from tests.support.images import busybox_image
from tests.support.stack import StackEnv
from tui.diagnostic_log import start_log, stop_log
from tui.models.images.image import ImageRef
from tui.services.docker.engine_stream import ImageError
from tui.services.images.images import ImageService


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    assert start_log(path, "debug") is None
    yield path
    stop_log()


def test_a_registry_password_never_reaches_the_log(
    stack: StackEnv, tmp_path: Path, debug_log: Path, engine: docker.DockerClient
) -> None:
    user, password = stack.auth_registry_user, stack.auth_registry_password
    base = busybox_image(engine)
    ref = ImageRef.parse(f"{stack.auth_registry}/k8sx-test/log-secret:{time.time_ns()}")
    engine.api.tag(base, ref.name, ref.tag)
    wrong = write_config(tmp_path / "wrong", {"auths": {stack.auth_registry: {"auth": _basic(user, password + "x")}}})
    with pytest.raises(ImageError):
        list(ImageService(engine, str(wrong)).push(ref))
    right = write_config(tmp_path / "right", {"auths": {stack.auth_registry: {"auth": _basic(user, password)}}})
    assert list(ImageService(engine, str(right)).push(ref))[-1].finished_ref is not None
    # What a careless line of a library or of ours might write: the formatter blanks it.
    logging.getLogger("tui.test").debug("X-Registry-Auth: %s", _basic(user, password))
    logging.getLogger("tui.test").debug("login %s", {"username": user, "password": password})

    text = debug_log.read_text()
    assert "X-Registry-Auth: ***" in text and "'password': '***'" in text
    for secret in (password, password + "x", _basic(user, password), _basic(user, password + "x")):
        assert secret not in text
    engine.images.remove(str(ref), force=True)


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()
