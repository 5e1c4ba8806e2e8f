"""Reading and deleting one object for the Deploy flows, with every failure in words (ApplyFailed): a 404 is an
answer (None; an object already gone), anything else names the object and says why."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kubernetes.client.exceptions import ApiException

from tui.services.deploy.apply import TIMEOUT_S, ApplyFailed, api_message
from tui.services.kube.kube import KubeService


def read_object(kube: KubeService, read: Callable[..., Any], what: str, name: str, namespace: str) -> Any:
    """`read(name, namespace, ...)`'s object as the API's JSON, or None when there is none: `what` is e.g. "pod"."""
    try:
        response: Any = read(name, namespace, _preload_content=False, _request_timeout=TIMEOUT_S)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise ApplyFailed(f"cannot read {what} {name}: {api_message(exc)}") from exc
    except Exception as exc:
        raise ApplyFailed(f"cannot read {what} {name}: {kube.explain(exc)}") from exc
    try:
        return json.loads(response.data)
    finally:
        response.release_conn()


def delete_object(
    kube: KubeService, delete: Callable[..., Any], what: str, name: str, namespace: str, **options: Any
) -> None:
    """`delete(name, namespace, **options)`; one already gone is no failure."""
    try:
        delete(name, namespace, _request_timeout=TIMEOUT_S, **options)
    except ApiException as exc:
        if exc.status != 404:
            raise ApplyFailed(f"cannot delete {what} {name}: {api_message(exc)}") from exc
    except Exception as exc:
        raise ApplyFailed(f"cannot delete {what} {name}: {kube.explain(exc)}") from exc
