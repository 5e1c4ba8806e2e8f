"""An API answer read as JSON: the body of an unread urllib3 response, its connection given back whatever happens;
for one object, a 404 is an answer (None: not there), not a failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tui.services.heavy_imports import heavy_imports


def response_json(response: Any) -> Any:
    """The decoded body of an unread urllib3 response, whose connection goes back to its pool."""
    try:
        return json.loads(response.data)
    finally:
        response.release_conn()


def object_or_none(request: Callable[[], Any]) -> dict[str, Any] | None:
    """`request()`'s object: its unread response (a raw `KubeService.get`, or a typed call made with
    `_preload_content=False`) as JSON; None when there is no such object (404); {} for a body that is not one."""
    with heavy_imports():
        from kubernetes.client.exceptions import ApiException

    try:
        response = request()
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    data = response_json(response)
    return data if isinstance(data, dict) else {}


def response_items(response: Any) -> list[dict[str, Any]]:
    """The objects of a list answer (an unread urllib3 response): its `items`, each an object (anything else is
    left out)."""
    data = response_json(response)
    items = data.get("items") if isinstance(data, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]
