"""A pushed screen following a push or pull: one progress bar per layer and one for the total; Esc cancels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from tui.models.images.image import LayeredProgress
from tui.models.images.layer_words import layer_words
from tui.models.units import human_bytes
from tui.screens.common.progress import ProgressScreen, close_binding

T_co = TypeVar("T_co", covariant=True)


class CancellableStream(Protocol[T_co]):
    """What a push or pull returns: snapshots to iterate in a worker, cancel() from the UI thread."""

    def __iter__(self) -> Iterator[T_co]: ...

    def cancel(self) -> None: ...


Starter = Callable[[], CancellableStream[LayeredProgress]]
Handled = Callable[[Exception], bool]


@dataclass
class LayersProgressed(Message):
    snapshot: LayeredProgress

    def can_replace(self, message: Message) -> bool:
        # Each report says all there is so far: an older one not yet read adds nothing.
        return isinstance(message, LayersProgressed)


@dataclass
class LayersEnded(Message):
    failure: Exception | None
    last: LayeredProgress | None


class LayerProgressScreen(ProgressScreen[LayeredProgress | None]):
    """Runs `start()` (a push or a pull) in a worker; dismisses with the last snapshot (None if it failed; then
    `failure` says why). A failure that `handled` accepts closes the screen at once, for its opener to deal with
    (a push that needs a login opens the login form)."""

    BINDINGS = [close_binding("layers.close")]
    DEFAULT_CSS = """
    LayerProgressScreen .layer { height: auto; padding: 0 1; }  /* a long repository name wraps */
    LayerProgressScreen .layer ProgressBar { width: 38; }
    LayerProgressScreen .layer Label { width: 1fr; }
    LayerProgressScreen #total { padding: 0 1; height: 1; }
    """
    TITLE_ID = "layers-title"

    def __init__(self, title: str, start: Starter, handled: Handled | None = None) -> None:
        super().__init__(title)
        self.start = start
        self.handled = handled
        self.failure: Exception | None = None
        self.stream: CancellableStream[LayeredProgress] | None = None
        self.last: LayeredProgress | None = None
        self._bars: dict[str, tuple[Label, ProgressBar]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("starting…", id="layers-status", classes="progress-status", markup=False)
        yield ProgressBar(id="total", show_eta=False)
        yield VerticalScroll(id="layers")

    def on_mount(self) -> None:
        self.run_layers()

    def outcome(self) -> LayeredProgress | None:
        return self.last

    @work(thread=True, exclusive=True, group="layers", exit_on_error=False)
    def run_layers(self) -> None:
        last: LayeredProgress | None = None
        try:
            self.stream = self.start()
            for snapshot in self.stream:
                last = snapshot
                self.post_message(LayersProgressed(snapshot))
        except Exception as exc:
            self.post_message(LayersEnded(exc, last))
            return
        self.post_message(LayersEnded(None, last))

    def cancel_job(self) -> bool:
        if self.stream is None:  # not started yet: nothing to cancel, Esc just closes
            return False
        self.cancel.set()
        self.stream.cancel()
        return True

    def on_layers_progressed(self, message: LayersProgressed) -> None:
        snapshot = message.snapshot
        self.last = snapshot
        layers = self.query_one("#layers", VerticalScroll)
        for layer in snapshot.layers:
            if layer.layer_id not in self._bars:
                label = Label(layer.layer_id[:12], markup=False)  # the status is the engine's (the registry's) text
                bar = ProgressBar(show_eta=False)
                row = Horizontal(label, bar, classes="layer")  # the layer's words, then its bar
                layers.mount(row)
                self._bars[layer.layer_id] = (label, bar)
            label, bar = self._bars[layer.layer_id]
            label.update(f"{layer.layer_id[:12]}  {layer_words(layer.status)}")
            total = layer.total_bytes or (1 if layer.done else None)
            bar.update(total=total, progress=(total or 0) if layer.done else layer.current_bytes)
        total_bar = self.query_one("#total", ProgressBar)
        if snapshot.total_bytes:
            total_bar.update(total=snapshot.total_bytes, progress=snapshot.current_bytes)
        done = f"{snapshot.layers_done}/{len(snapshot.layers)} layers"
        sizes = f"{human_bytes(snapshot.current_bytes)} of {human_bytes(snapshot.total_bytes)}"
        self.status.update(f"{snapshot.status or 'working'} · {done} · {sizes}")

    def on_layers_ended(self, message: LayersEnded) -> None:
        self.failure = message.failure
        if message.failure is not None or self.cancel.is_set():
            self.last = None
            self.end("cancelled" if message.failure is None else f"failed: {message.failure}", failed=True)
            if message.failure is not None and self.handled is not None and self.handled(message.failure):
                self.dismiss(None)
            return
        self.last = message.last
        digest = message.last.digest if message.last else None
        self.end(f"done{f' · {digest}' if digest else ''}", failed=False)
        self.query_one("#total", ProgressBar).update(total=1, progress=1)
