"""Pods as PodEvents that always converge to what the server has (the list + watch of tui.services.kube.list_watch):
each list page is shown as it comes, a namespace that does not exist is said in words, not as "no pods"."""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator
from typing import Any
from urllib.parse import quote

from tui.models.pods.row import PodEvent, PodRemoved, PodRow, PodsListed, PodsListing, PodUpserted, WatchTrouble
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.kube.list_watch import CONNECT_TIMEOUT_S, ListWatch, UpdateBuffer, list_page, resource_path
from tui.services.pods.list_pages import PageFetch, continue_token
from tui.services.pods.rows import pod_row

Json = dict[str, Any]
_continue_token = continue_token  # its old home, where tests/unit/test_pod_table.py imports it
PAGE_SIZE = 1000


class NamespaceMissing(Exception):
    """The namespace being listed does not exist: an empty list would say "no pods" where the truth is "no place"."""


class PodWatcher(ListWatch[PodEvent]):
    """Pods of one namespace (or all: ALL_NAMESPACES), optionally narrowed by a label selector."""

    FIRST_RETRY_S = 0.5
    LONGEST_RETRY_S = 15.0

    def __init__(
        self, kube: KubeService, namespace: str, label_selector: str | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(kube, resource_path("pods", namespace), {"labelSelector": label_selector or None})
        self.page_size = page_size
        self.namespace = namespace
        self.label_selector = label_selector or None
        self._fetch: PageFetch | None = None
        self._namespace_seen = namespace == ALL_NAMESPACES  # checked once, when a list first comes back empty

    def stop(self) -> None:
        super().stop()
        with self._lock:
            fetch = self._fetch
        if fetch is not None:
            fetch.abandon()  # ends a list in progress

    events = ListWatch.updates  # the name the screens call

    # ---------------------------------------------------------------- ListWatch

    def _list(self) -> Generator[PodEvent, None, str]:
        """A full list, page by page (each page shown as it comes), then the whole as one PodsListed."""
        rows: list[PodRow] = []
        version = ""
        for body in self._pages():
            page = [pod_row(item) for item in body.get("items") or []]
            rows.extend(page)
            metadata = body.get("metadata") or {}
            if metadata.get("continue") or len(rows) > len(page):
                # The rows of a list of many pages live as long as the list: frozen, the collector's full passes
                # (at 100,000 pods, eight UI stalls of 30-150 ms each) no longer walk them. Rows replaced later
                # are still freed by their reference counts; a namespace of one page is not worth the garbage
                # that freezing keeps (until a log's start thaws it: freeze_long_lived).
                gc.freeze()
            if metadata.get("continue"):
                yield PodsListing(page)
            else:
                if not rows and not self._namespace_seen:
                    self._check_namespace()
                version = metadata["resourceVersion"]
                yield PodsListed(rows, version)
        return version

    def _changed(self, kind: str, obj: Any) -> PodEvent:
        row = pod_row(obj)
        return PodRemoved(row.key) if kind == "DELETED" else PodUpserted(row)

    def _trouble(self, exc: Exception, retry_in: float) -> PodEvent:
        return WatchTrouble(self._explain(exc), retry_in, forbidden=_is_forbidden(exc))

    def _decode(self, document: bytes) -> Any:
        return _decode(document)

    # ---------------------------------------------------------------- requests

    def _pages(self) -> Iterator[Json]:
        """Decoded list pages, each downloaded while the one before is decoded."""
        kube, path, selectors, size = self.kube, self.path, self.selectors, self.page_size
        fetch = PageFetch(lambda token: list_page(kube, path, token, limit=size, **selectors))
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


class PodChangeBuffer(UpdateBuffer[PodEvent, PodRow, WatchTrouble]):
    def _file(self, event: PodEvent) -> None:
        if isinstance(event, PodsListed):
            self._file_list(event.rows)
        elif isinstance(event, PodsListing):
            self._changes.update((row.key, row) for row in event.rows)
        elif isinstance(event, PodUpserted):
            self._changes[event.row.key] = event.row
        elif isinstance(event, PodRemoved):
            self._changes[event.key] = None
        else:
            self._trouble = event
