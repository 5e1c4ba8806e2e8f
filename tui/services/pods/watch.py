"""List + watch of pods, as a generator of PodEvents that always converges to what the server has.

- list (paged), then watch from its resourceVersion with bookmarks;
- a watch that ends normally is resumed from the last resourceVersion seen;
- 410 Gone (the version is too old) or any failure: back off, list again (the new list replaces every row);
- `stop()` from another thread shuts the open HTTP response down, so the thread ends at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Iterator
from typing import Any
from urllib.parse import quote

from tui.models.pods.row import PodEvent, PodRemoved, PodRow, PodsListed, PodsListing, PodUpserted, WatchTrouble
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.pods.list_pages import (
    CONNECT_TIMEOUT_S,
    PAGE_SIZE,
    PageFetch,
    continue_token,
    list_page,
    request_pods,
)
from tui.services.pods.rows import pod_row

Json = dict[str, Any]
_continue_token = continue_token  # its old home, where tests/unit/test_pod_table.py imports it
WATCH_SECONDS = 240  # the server ends each watch after this; it is then resumed
READ_TIMEOUT_S = WATCH_SECONDS + 30.0  # bookmarks arrive about once a minute, so silence this long is a dead link
FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 15.0


class _Expired(Exception):
    """The watch's resourceVersion is too old (410 Gone): only a new list can continue."""


class NamespaceMissing(Exception):
    """The namespace being listed does not exist: an empty list would say "no pods" where the truth is "no place"."""


class PodWatcher:
    """Pods of one namespace (or all: ALL_NAMESPACES), optionally narrowed by a label selector."""

    def __init__(
        self, kube: KubeService, namespace: str, label_selector: str | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        self.kube = kube
        self.page_size = page_size
        self.namespace = namespace
        self.label_selector = label_selector or None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._response: Any = None
        self._fetch: PageFetch | None = None
        self._namespace_seen = namespace == ALL_NAMESPACES  # checked once, when a list first comes back empty

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            response, fetch = self._response, self._fetch
        if fetch is not None:
            fetch.abandon()  # ends a list in progress
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()  # unblocks a read in progress on the watch thread
            response.release_conn()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def events(self) -> Iterator[PodEvent]:
        retry = FIRST_RETRY_S
        while not self.stopped:
            try:
                version = ""
                for listed in self._list():
                    if isinstance(listed, PodsListed):
                        if not listed.rows and not self._namespace_seen:
                            self._check_namespace()
                        version = listed.resource_version
                    yield listed
                retry = FIRST_RETRY_S
                while not self.stopped and version:
                    version = yield from self._watch(version)
            except _Expired:
                continue  # list again straight away
            except Exception as exc:
                if self.stopped:
                    return
                yield WatchTrouble(self._explain(exc), retry, forbidden=_is_forbidden(exc))
                self._stopped.wait(retry)
                retry = min(retry * 2, LONGEST_RETRY_S)

    # ---------------------------------------------------------------- requests

    def _list(self) -> Iterator[PodsListing | PodsListed]:
        """A full list, page by page (each page shown as it comes), then the whole as one PodsListed."""
        rows: list[PodRow] = []
        for body in self._pages():
            page = [pod_row(item) for item in body.get("items") or []]
            rows.extend(page)
            metadata = body.get("metadata") or {}
            if metadata.get("continue"):
                yield PodsListing(page)
            else:
                yield PodsListed(rows, metadata["resourceVersion"])

    def _pages(self) -> Iterator[Json]:
        """Decoded list pages, each downloaded while the one before is decoded."""
        kube, namespace, selector, size = self.kube, self.namespace, self.label_selector, self.page_size
        fetch = PageFetch(lambda token: list_page(kube, namespace, selector, size, token))
        with self._lock:
            self._fetch = fetch
        if self.stopped:  # stop() ran before the line above
            fetch.abandon()
        try:
            for page in fetch.pages():
                yield _decode(page)
        finally:
            fetch.abandon()
            with self._lock:
                self._fetch = None

    def _watch(self, version: str) -> Generator[PodEvent, None, str]:
        """Yield events from one watch request; returns the last resourceVersion seen (to resume from)."""
        response = request_pods(
            self.kube,
            self.namespace,
            self.label_selector,
            (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
            watch=True,
            resourceVersion=version,
            allowWatchBookmarks=True,
            timeoutSeconds=WATCH_SECONDS,
        )
        with self._lock:
            self._response = response
        if self.stopped:  # stop() ran between the request and the line above
            response.release_conn()
            return version
        try:
            for line in _lines(response):
                event = _decode(line)
                kind = event.get("type")
                obj = event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise _Expired()
                    with heavy_imports():
                        from kubernetes.client.exceptions import ApiException

                    raise ApiException(status=obj.get("code"), reason=obj.get("message", "watch error"))
                version = (obj.get("metadata") or {}).get("resourceVersion") or version
                if kind == "BOOKMARK":
                    continue
                row = pod_row(obj)
                yield PodRemoved(row.key) if kind == "DELETED" else PodUpserted(row)
        finally:
            with self._lock:
                self._response = None
            response.release_conn()
        return version

    def _check_namespace(self) -> None:
        """NamespaceMissing when the server says the namespace is not there; one the user may not read is taken
        to exist (its pods could be listed)."""
        with heavy_imports():
            from kubernetes.client.exceptions import ApiException

        try:
            self.kube.get(
                f"/api/v1/namespaces/{quote(self.namespace, safe='')}", timeout=CONNECT_TIMEOUT_S
            ).release_conn()
        except ApiException as exc:
            if exc.status == 404:
                raise NamespaceMissing(f"namespace '{self.namespace}' does not exist") from exc
            if exc.status != 403:
                raise
        self._namespace_seen = True

    def _explain(self, exc: BaseException) -> str:
        if isinstance(exc, NamespaceMissing):
            return str(exc)
        if _is_forbidden(exc):
            where = "any namespace" if self.namespace == ALL_NAMESPACES else self.namespace
            detail = self.kube.explain(exc).removeprefix("forbidden: ")
            return f"forbidden: cannot list pods in {where} ({detail})"
        return self.kube.explain(exc)


def _is_forbidden(exc: BaseException) -> bool:
    with heavy_imports():
        from kubernetes.client.exceptions import ApiException

    return isinstance(exc, ApiException) and exc.status == 403


def _decode(document: bytes) -> Any:
    """simdjson, read lazily: a pod is mostly managedFields we never look at, and building Python objects for
    them is an order of magnitude slower than reading only the fields a row needs.
    Each document gets its own parser, since a parser cannot be reused while objects from it are alive."""
    import simdjson  # on the watch thread, with the first list: not needed for the first frame

    return simdjson.Parser().parse(document)


def _lines(response: Any) -> Iterator[bytes]:
    """Split a streamed response into lines: one watch event per line, however the chunks fall."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line for line in complete if line.strip())
    if pending.strip():
        yield pending


class PodChangeBuffer:
    """Where the watch thread leaves events for the UI thread, coalesced by pod.

    The thread `add`s; `add` returns True only for the first event since the last `take`, so the thread posts one
    wake-up message per batch however fast events arrive, and a pod changed ten times meanwhile costs one update.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed: list[PodRow] | None = None
        self._changes: dict[str, PodRow | None] = {}
        self._trouble: WatchTrouble | None = None
        self._fresh = True  # nothing taken yet is pending

    def add(self, event: PodEvent) -> bool:
        with self._lock:
            if isinstance(event, PodsListed):
                self._listed, self._changes, self._trouble = event.rows, {}, None
            elif isinstance(event, PodsListing):
                self._changes.update((row.key, row) for row in event.rows)
            elif isinstance(event, PodUpserted):
                self._changes[event.row.key] = event.row
            elif isinstance(event, PodRemoved):
                self._changes[event.key] = None
            else:
                self._trouble = event
            wake, self._fresh = self._fresh, False
            return wake

    def take(self) -> tuple[list[PodRow] | None, dict[str, PodRow | None], WatchTrouble | None]:
        """Everything since the last take: a full list (or None), then the changes after it, then any trouble."""
        with self._lock:
            taken = (self._listed, self._changes, self._trouble)
            self._listed, self._changes, self._trouble = None, {}, None
            self._fresh = True
            return taken
