"""Every API request that fails (with its method and path) and every slow one, in the diagnostic log: the one place
all of the kubernetes client's calls pass through is its REST client's `request`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

SLOW_REQUEST_S = 1.0

log = logging.getLogger(__name__)


def _where(url: str) -> str:
    """The path of a request; its query can hold a label selector, never a credential, but is left out anyway."""
    return urlsplit(url).path or url


def log_requests(api_client: k8s.ApiClient) -> k8s.ApiClient:
    rest = api_client.rest_client
    request: Callable[..., Any] = rest.request

    def logged(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            response = request(method, url, *args, **kwargs)
        except ApiException as exc:
            log.warning("%s %s: %s %s", method, _where(url), exc.status, exc.reason)
            raise
        except Exception as exc:
            log.warning("%s %s failed: %s: %s", method, _where(url), type(exc).__name__, exc)
            raise
        elapsed = time.monotonic() - started
        if elapsed >= SLOW_REQUEST_S:
            log.info("slow: %s %s took %.2f s", method, _where(url), elapsed)
        return response

    rest.request = logged  # type: ignore[method-assign]
    return api_client
