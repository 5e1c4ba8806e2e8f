"""Every engine request that fails (with its method and path) and every slow one, in the diagnostic log, through the
HTTP session's response hook (the docker client is a requests session). Headers and bodies are never logged: a
push carries the registry's credentials in X-Registry-Auth."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import docker
import requests

SLOW_REQUEST_S = 1.0

log = logging.getLogger(__name__)


def _log_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    request = response.request
    where = urlsplit(request.url or "").path
    if response.status_code >= 400:
        log.warning("%s %s: %s %s", request.method, where, response.status_code, response.reason)
    elif response.elapsed.total_seconds() >= SLOW_REQUEST_S:
        log.info("slow: %s %s answered after %.2f s", request.method, where, response.elapsed.total_seconds())


def log_requests(client: docker.DockerClient) -> docker.DockerClient:
    client.api.hooks["response"].append(_log_response)
    return client
