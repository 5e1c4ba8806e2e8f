"""A port-forward that survives: the local listener stays up for the forward's whole life; a supervisor thread
follows the experiment's (or the named pod's) Running pod and keeps a link to it, reconnecting with back-off when
it drops and re-attaching when the pod is replaced. Each local connection is a stream pair on the current link;
a connection that arrives while there is none waits for one (a browser sees a pause, not an error)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from tui.models.forward.forward import (
    ConnectionFailed,
    ForwardChanged,
    ForwardEvent,
    ForwardSpec,
    ForwardStatus,
    State,
    kubelet_words,
)
from tui.services.forward.pair import ForwardBroken, StreamPair
from tui.services.forward.pod_link import ALL_WAYS, PodLink
from tui.services.forward.target import current_pod
from tui.services.kube.kube import KubeService

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often the supervisor looks for the pod
FIRST_RETRY_S, LONGEST_RETRY_S = 0.5, 15.0
WAIT_FOR_LINK_S = 60.0  # how long a local connection waits for a pod before it is closed
READ_SIZE = 1 << 16


class Forward:
    def __init__(
        self,
        kube: KubeService,
        spec: ForwardSpec,
        listener: socket.socket,
        forward_id: int = 0,
        on_event: Callable[[ForwardEvent], None] | None = None,
        ways: tuple[str, ...] = ALL_WAYS,
    ) -> None:
        """`listener`: from local_port.listen (bound already, so a taken port is refused before anything starts);
        its port is the spec's local port."""
        self.kube, self.id, self._ways = kube, forward_id, ways
        self.spec = spec
        self._listener = listener
        self._on_event = on_event or (lambda event: None)
        self._lock = threading.Condition()
        self._link: PodLink | None = None
        self._link_uid = ""
        self._state, self._detail, self._pod = State.STARTING, "", ""
        self._connections: set[socket.socket] = set()
        self._bytes_in = self._bytes_out = self._errors = 0
        self._last_error = ""
        self._since = datetime.now(UTC)
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self.kept = False  # comes back on the next start of the app (the manager saves it)

    def start(self) -> None:
        threading.Thread(target=self._supervise, name=f"forward-{self.id}-pod", daemon=True).start()
        threading.Thread(target=self._accept, name=f"forward-{self.id}-listen", daemon=True).start()

    def status(self) -> ForwardStatus:
        with self._lock:
            return ForwardStatus(
                self.id, self.spec, self._state, self._detail, self._pod, len(self._connections),
                self._bytes_in, self._bytes_out, self._since, self._last_error, self._errors, self.kept,
            )  # fmt: skip

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept
        self._listener.close()
        with self._lock:
            self._drop_link()
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._set(State.STOPPED, "")

    # ---------------------------------------------------------------- the pod and the link to it

    def _set(self, state: State, detail: str, pod: str | None = None) -> None:
        with self._lock:
            if self._state == State.STOPPED or ((state, detail) == (self._state, self._detail) and pod is None):
                return
            if state != self._state:
                self._since = datetime.now(UTC)
            self._state, self._detail = state, detail
            if pod is not None:
                self._pod = pod
            self._lock.notify_all()
        self._on_event(ForwardChanged(self.status()))

    def _drop_link(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link, self._link_uid = None, ""

    def _supervise(self) -> None:
        retry = FIRST_RETRY_S
        while not self._stopped.is_set():
            pause = POLL_S
            try:
                pause = self._look_after_link()
                retry = FIRST_RETRY_S
            except ForwardBroken as exc:
                self._set(State.RECONNECTING, f"{exc} (again in {retry:.0f}s)" if retry >= 1 else str(exc))
                pause, retry = retry, min(retry * 2, LONGEST_RETRY_S)
            except Exception as exc:  # the API server is away, or says no: the forward waits and says why
                log.info("forward %s: cannot read its pod", self.spec.summary, exc_info=True)
                self._set(State.RECONNECTING, f"cannot read the pod: {self.kube.explain(exc)}")
                pause, retry = retry, min(retry * 2, LONGEST_RETRY_S)
            self._wake.wait(pause)
            self._wake.clear()
        with self._lock:
            self._drop_link()

    def _look_after_link(self) -> float:
        pod = current_pod(self.kube, self.spec)
        with self._lock:
            link = self._link
            if link is not None and (pod is None or pod.uid != self._link_uid or not link.alive):
                lost = "" if pod is None or pod.uid != self._link_uid else link.lost
                self._drop_link()
                if lost:
                    raise ForwardBroken(lost)
        if pod is None:
            self._set(State.WAITING, "", pod="")
            return POLL_S
        if self._link is None:
            link = PodLink(self.kube, self.spec.namespace, pod.name, self._ways)
            with self._lock:
                if self._stopped.is_set():
                    link.close()
                    return POLL_S
                self._link, self._link_uid = link, pod.uid
            self._set(State.ACTIVE, "", pod=pod.name)
        return POLL_S

    def _pair(self) -> StreamPair | None:
        """A stream pair on the current link, waiting for one while the pod is away; None when none came."""
        for _ in range(3):
            with self._lock:
                if not self._lock.wait_for(
                    lambda: self._stopped.is_set() or (self._link is not None and self._link.alive), WAIT_FOR_LINK_S
                ):
                    self._failed_connection(f"no Running pod to forward to in {WAIT_FOR_LINK_S:.0f}s")
                    return None
                link = self._link
            if link is None or self._stopped.is_set():
                return None
            try:
                return link.open(self.spec.remote_port)
            except ForwardBroken as exc:
                if link.alive:  # this connection's stream was refused: the link carries the next one
                    self._failed_connection(str(exc))
                    return None
                self._wake.set()  # the supervisor replaces the link; this connection waits for the new one
                with self._lock:
                    if self._link is link:
                        self._drop_link()
        self._failed_connection("the link to the pod kept breaking")
        return None

    # ---------------------------------------------------------------- local connections

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError as exc:
                if not self._stopped.is_set():
                    self._set(State.FAILED, f"the local listener stopped: {exc.strerror or exc}")
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), name=f"forward-{self.id}-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        pair: StreamPair | None = None
        try:
            pair = self._pair()
            if pair is None:
                return
            threading.Thread(target=self._upstream, args=(conn, pair), daemon=True).start()
            for chunk in pair.chunks():
                conn.sendall(chunk)
                with self._lock:
                    self._bytes_in += len(chunk)
            if error := pair.error_text():
                log.info("forward %s: a connection failed: %s", self.spec.summary, error)
                self._failed_connection(kubelet_words(error, self.spec.remote_port))
        except OSError:
            pass  # the local client went away: its connection ends, the forward goes on
        finally:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            if pair is not None:
                pair.close()
            with self._lock:
                self._connections.discard(conn)

    def _upstream(self, conn: socket.socket, pair: StreamPair) -> None:
        try:
            while data := conn.recv(READ_SIZE):
                pair.send(data)
                with self._lock:
                    self._bytes_out += len(data)
            pair.close_write()
        except (OSError, ForwardBroken):
            pass  # the downstream side ends the connection and says why

    def _failed_connection(self, text: str) -> None:
        with self._lock:
            self._last_error, self._errors = text, self._errors + 1
        self._on_event(ConnectionFailed(self.id, text))
