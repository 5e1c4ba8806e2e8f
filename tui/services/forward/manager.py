"""Every forward of the app (or of a CLI run): start one from a spec, stop one or all, their statuses in order."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from tui.models.forward.forward import ForwardEvent, ForwardSpec, ForwardStatus
from tui.models.forward.presets import Preset
from tui.services.forward.forward import Forward
from tui.services.forward.kept import load_kept, save_kept
from tui.services.forward.local_port import listen, listen_same_or_next
from tui.services.forward.pod_link import ALL_WAYS
from tui.services.kube.kube import KubeService


class ForwardManager:
    def __init__(self, kube: KubeService, ways: tuple[str, ...] = ALL_WAYS) -> None:
        self.kube, self._ways = kube, ways
        self._forwards: dict[int, Forward] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ForwardEvent], None]] = []

    def subscribe(self, listener: Callable[[ForwardEvent], None]) -> Callable[[], None]:
        """`listener` is called from the forwards' threads; the returned function unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _event(self, event: ForwardEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def start(self, spec: ForwardSpec, exact_port: bool = True) -> Forward:
        """Listen at once (PortInUse / OSError in words when that cannot be), then follow the pod. With
        `exact_port=False` a taken local port gives way to the next free one (the spec says which was used)."""
        listener = listen(spec.address, spec.local_port) if exact_port else listen_same_or_next(*spec_place(spec))
        port = listener.getsockname()[1]
        if port != spec.local_port:
            spec = ForwardSpec(spec.namespace, spec.pod, spec.remote_port, port, spec.address, spec.experiment)
        with self._lock:
            forward = Forward(self.kube, spec, listener, next(self._ids), self._event, self._ways)
            self._forwards[forward.id] = forward
        forward.start()
        return forward

    def statuses(self) -> list[ForwardStatus]:
        with self._lock:
            forwards = list(self._forwards.values())
        return [forward.status() for forward in forwards]

    def stop(self, forward_id: int) -> bool:
        with self._lock:
            forward = self._forwards.pop(forward_id, None)
        if forward is not None:
            forward.stop()
            if forward.kept:
                self._save_kept()
        return forward is not None

    # ---------------------------------------------------------------- kept for the next start of the app

    def keep(self, forward_id: int, kept: bool) -> None:
        """Mark a forward to come back on the next start (or not); OSError in words when the file cannot be written."""
        with self._lock:
            forward = self._forwards.get(forward_id)
        if forward is not None:
            forward.kept = kept
            self._save_kept()

    def _save_kept(self) -> None:
        with self._lock:
            kept = [forward.spec for forward in self._forwards.values() if forward.kept]
        try:
            save_kept(kept)
        except OSError as exc:
            raise OSError(f"cannot keep the forwards: {exc.strerror or exc}") from exc

    def start_presets(self, presets: list[Preset], namespace: str, pod: str, experiment: str) -> list[str]:
        """The project's `forwards:` for its pod, each unless one to that target and port runs already;
        problems in words."""
        problems: list[str] = []
        running = {(status.spec.target, status.spec.remote_port) for status in self.statuses()}
        for preset in presets:
            spec = preset.spec(namespace, pod, experiment)
            if (spec.target, spec.remote_port) in running:
                continue
            try:
                self.start(spec, exact_port=False)
            except OSError as exc:
                problems.append(f"{preset.name} ({spec.summary}) not started: {exc}")
        return problems

    def restore_kept(self) -> list[str]:
        """Start the kept forwards (a taken local port gives way to the next free one); problems in words."""
        specs, problems = load_kept()
        for spec in specs:
            try:
                forward = self.start(spec, exact_port=False)
            except OSError as exc:
                problems.append(f"kept forward {spec.summary} not started: {exc}")
                continue
            forward.kept = True
        return problems

    def stop_all(self) -> int:
        with self._lock:
            forwards, self._forwards = list(self._forwards.values()), {}
        for forward in forwards:
            forward.stop()
        return len(forwards)


def spec_place(spec: ForwardSpec) -> tuple[str, int]:
    return spec.address, spec.local_port
