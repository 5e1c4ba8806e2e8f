"""The first imports of the kubernetes client and the docker SDK take turns.

They are imported on worker threads when first needed (not on the start path), and both pull in `requests`. Two
threads importing them at once can each hold a module the other needs; Python breaks that cycle by handing one of
them a half-imported module ("module 'requests' has no attribute 'exceptions'", seen when the cluster and engine
checks start together). Every function that imports one of them, and every screen loaded on demand, does it inside
`heavy_imports()`; once imported, taking the turn costs a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_TURN = threading.RLock()  # re-entrant: an import inside a turn may reach a function that takes one


@contextmanager
def heavy_imports() -> Iterator[None]:
    with _TURN:
        yield
