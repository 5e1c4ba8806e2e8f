"""Each pull of a run's results, recorded on the run: where they went, how many files and bytes, and the sha256 of
every file as the pull checked it (never hashed again). A pod the app did not start has no run: nothing is
recorded. Recording never fails a pull: a problem goes to the diagnostic log with its traceback and is said in the
pull's note."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from tui.models.runs.run import RunResult
from tui.services.runs.store import RunStore
from tui.services.transfer.pull import PullSummary

log = logging.getLogger(__name__)

# A Job's pods carry its name (the first since Kubernetes 1.27, the second before and still).
JOB_LABELS = ("batch.kubernetes.io/job-name", "job-name")


def run_name(pod: Mapping[str, Any]) -> str:
    """The name of the run a pod (as the API returns it) belongs to: its Job's, else its own."""
    metadata = pod.get("metadata") or {}
    labels = metadata.get("labels") or {}
    job = next((labels[key] for key in JOB_LABELS if isinstance(labels.get(key), str) and labels[key]), "")
    return job or str(metadata.get("name") or "")


class ResultRecorder:
    def __init__(self, store: RunStore | None = None) -> None:
        self._store = store  # made when first needed: the state folder as it is then

    def record(self, context: str, namespace: str, name: str, summary: PullSummary) -> RunResult | str | None:
        """On the newest run named `name` (a pod's or its Job's) in that context and namespace; None when there is
        none; why in words when recording failed (logged with its traceback)."""
        try:
            if self._store is None:
                self._store = RunStore()
            run = self._store.latest_for(context, namespace, name)
            if run is None:
                return None
            result = RunResult(
                run.id, time.time(), str(summary.destination), summary.files, summary.bytes, dict(summary.sha256)
            )
            self._store.add_result(result)
            return result
        except Exception as exc:
            log.exception("the pull of %s/%s into %s was not recorded on its run", namespace, name, summary.destination)
            return f"not recorded on its run: {exc}"
