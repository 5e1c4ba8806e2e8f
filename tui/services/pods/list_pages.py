"""The raw pages of a list (pods: 10,000 of them are 40 MB of JSON), downloaded on a thread of their own ahead of
their decoding.

Requests go through KubeService.get (JSON as bytes: tui.services.kube.list_watch.list_page) rather than CoreV1Api,
whose import alone builds some 250 pydantic models (a quarter of a second at start) for objects a raw read never
makes.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Callable, Iterator

_LIST_METADATA = re.compile(rb'"metadata":(\{[^{}]*\})')


def continue_token(page: bytes) -> str | None:
    """The continue token of a list page, read from its head: the list's metadata comes before its items."""
    match = _LIST_METADATA.search(page, 0, 4096)
    metadata = json.loads(match.group(1)) if match else json.loads(page).get("metadata", {})
    token = metadata.get("continue")
    return str(token) if token else None


class PageFetch:
    """Downloads the pages of one list (`page(token)` each) on its own thread, at most `ahead` of them waiting.

    With 10,000 pods the download and the decoding take about as long as each other, and a socket read leaves the
    GIL free, so the next page downloads while this one is decoded."""

    def __init__(self, page: Callable[[str | None], bytes], ahead: int = 2) -> None:
        self._page = page
        self._pages: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=ahead)
        self._abandoned = threading.Event()
        threading.Thread(target=self._fetch, name="pod-list-pages", daemon=True).start()

    def abandon(self) -> None:
        """Stop after the page in flight (the thread ends, nothing more is kept) and end `pages()`."""
        self._abandoned.set()

    def pages(self) -> Iterator[bytes]:
        """The pages in order, until the last or `abandon()`; the download's exception, if one ended it, is
        raised here."""
        while True:
            try:
                item = self._pages.get(timeout=0.2)
            except queue.Empty:
                if self._abandoned.is_set():
                    return
                continue
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item: bytes | BaseException | None) -> bool:
        while not self._abandoned.is_set():
            try:
                self._pages.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _fetch(self) -> None:
        token: str | None = None
        try:
            while not self._abandoned.is_set():
                data = self._page(token)
                token = continue_token(data)
                if not self._put(data) or not token:
                    break
            self._put(None)
        except BaseException as exc:
            self._put(exc)
