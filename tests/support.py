"""Helpers shared by the tests: the local stack's addresses, kubectl, waiting, test pods and images."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import shlex
import socket
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from docker import DockerClient
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker

from tui.app import K8sxApp
from tui.backends import Backends
from tui.services.docker.engine import DockerService
from tui.services.kube.kube import KubeService
from tui.services.transfer.pull import TransferFailed
from tui.widgets.status_line import StatusLine

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "tools" / "stack"
T = TypeVar("T")


@dataclass(frozen=True)
class StackEnv:
    """Where the local stack's parts answer, as `tools/stack env` prints it."""

    kubeconfig: str
    docker_host: str
    registry: str
    auth_registry: str
    auth_registry_user: str
    auth_registry_password: str
    stack_dir: str


def read_stack_env() -> dict[str, str]:
    out = subprocess.run([str(STACK), "env"], check=True, capture_output=True, text=True).stdout
    env: dict[str, str] = {}
    for word in shlex.split(out):
        if "=" in word:
            key, value = word.split("=", 1)
            env[key] = value
    return env


def kubectl(stack: StackEnv, *args: str, input: str | None = None, check: bool = True) -> str:
    done = subprocess.run(
        ["kubectl", "--kubeconfig", stack.kubeconfig, *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def pod_phase(stack: StackEnv, namespace: str, name: str = "exp") -> str:
    return kubectl(stack, "get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}")


def wait_pod_phase(stack: StackEnv, namespace: str, name: str, phase: str = "Running", timeout: float = 30.0) -> None:
    wait_for(lambda: pod_phase(stack, namespace, name) == phase, timeout=timeout, what=f"pod {name} {phase}")


def apply(stack: StackEnv, namespace: str, manifest: str) -> None:
    kubectl(stack, "apply", "-n", namespace, "-f", "-", input=manifest)


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder`, by its path there: two folders with the same bytes compare equal."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


async def settle(pilot: Pilot[object], predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until predicate holds (workers post from threads; the UI needs turns to apply them)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        await pilot.pause(0.1)
        await asyncio.sleep(0)


async def answer_dialog(pilot: Pilot[object], app: K8sxApp, *keys: str, timeout: float = 30.0) -> object:
    """Press `keys` on the dialog on top (a ConfirmScreen ...) and return its answer once everything that answer set
    off is over: the callback of the screen that opened the dialog has run, the messages it posted there (and
    bubbled to the app) were handled, and the workers of that screen started meanwhile have ended. After a cancel,
    "nothing happened" is then a fact to check, not a guess after a fixed sleep."""
    dialog, screen = app.screen, app.screen_stack[-2]
    pending = dialog._result_callbacks[-1]  # Textual's record of the callback given to push_screen
    asked = pending.callback
    assert asked is not None, f"{type(dialog).__name__} was opened without a callback"
    answers: list[object] = []

    def handled(result: object) -> None:
        asked(result)
        # Behind whatever the callback posted: first through the screen's queue, then through the app's.
        screen.call_later(lambda: app.call_later(lambda: answers.append(result)))

    def of_screen(worker: Worker[Any]) -> bool:
        node = worker.node
        return node is screen or (isinstance(node, Widget) and screen in node.ancestors)

    pending.callback = handled
    before = set(app.workers)
    await pilot.press(*keys)
    await settle(pilot, lambda: bool(answers), timeout, what=f"the answer to {type(dialog).__name__} handled")
    started = [worker for worker in app.workers if worker not in before and of_screen(worker)]
    await settle(pilot, lambda: all(w.is_finished for w in started), timeout, what=f"the workers it started: {started}")
    return answers[0]


# ---------------------------------------------------------------- the real app under Pilot

SIZE = (180, 30)


def status_text(app: K8sxApp) -> str:
    return str(app.screen.query_one(StatusLine).content)


def pods_info(app: K8sxApp) -> str:
    return str(app.screen.query_one("#pods-info", Static).content)


def make_app(kubeconfig: str, docker_host: str, context: str | None = None, namespace: str | None = None) -> K8sxApp:
    return K8sxApp(Backends(KubeService(kubeconfig, context, namespace), DockerService(docker_host)))


def kubeconfig_with_server(stack: StackEnv, tmp_path: Path, server: str) -> str:
    config = yaml.safe_load(Path(stack.kubeconfig).read_text())
    config["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


BUSYBOX_DOCKERFILE = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'


def busybox_context(extra_dockerfile: str = "", dockerfile: str = BUSYBOX_DOCKERFILE) -> io.BytesIO:
    """A build context FROM scratch with Debian's busybox-static: nothing can be pulled from the internet here."""
    text = (dockerfile + extra_dockerfile).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add("/bin/busybox", arcname="busybox")
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    buffer.seek(0)
    return buffer


# ---------------------------------------------------------------- pods on kwok nodes (exec runs on this machine)


def manifest(*objects: dict[str, Any]) -> str:
    """Objects as one multi-document YAML, for `kubectl apply -f -` or create_from_yaml."""
    return yaml.safe_dump_all(objects, sort_keys=False)


def kwok_pod(
    name: str,
    containers: Sequence[str] = ("main",),
    labels: dict[str, str] | None = None,
    workdir: Path | None = None,
    envs: dict[str, str] | None = None,
    logs: list[dict[str, Any]] | None = None,
    attach_log: Path | None = None,
    tty: bool = False,
) -> str:
    """The manifest of a pod on a kwok node, with kwok's objects for what its exec, logs and attach do.
    kwok runs exec'd commands ON THIS MACHINE in `workdir` (always a temporary folder of the test) with `envs`;
    `logs`: kwok's Logs entries (logsFile, previousLogsFile, follow, containers); `attach_log`: what attach shows;
    `tty`: the containers have a TTY and stdin (as `kubectl run -it` starts them)."""
    tty_fields = {"tty": True, "stdin": True} if tty else {}
    pod_containers = [{"name": c, "image": "busybox"} | tty_fields for c in containers]
    metadata: dict[str, Any] = {"name": name} | ({"labels": labels} if labels else {})
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": metadata,
            "spec": {"nodeSelector": {"type": "kwok"}, "containers": pod_containers},
        }
    ]

    def kwok(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}

    if workdir is not None:
        local: dict[str, Any] = {"workDir": str(workdir)}
        if envs:
            local["envs"] = [{"name": key, "value": value} for key, value in envs.items()]
        objects.append(kwok("Exec", {"execs": [{"local": local}]}))
    if logs:
        objects.append(kwok("Logs", {"logs": logs}))
    if attach_log is not None:
        objects.append(kwok("Attach", {"attaches": [{"logsFile": str(attach_log)}]}))
    return manifest(*objects)


def pod_with_root(
    stack: StackEnv,
    namespace: str,
    root: Path,
    name: str = "exp",
    labels: dict[str, str] | None = None,
    wait: bool = True,
) -> None:
    """A kwok pod whose exec'd commands run in `root` on this machine."""
    apply(stack, namespace, kwok_pod(name, labels=labels, workdir=root))
    if wait:
        wait_pod_phase(stack, namespace, name)


def kwok_shell_pod(
    stack: StackEnv,
    namespace: str,
    root: Path,
    name: str = "exp",
    containers: tuple[str, ...] = ("main",),
    tty_container: bool = False,
) -> Path:
    """A Running kwok pod whose exec'd commands run on THIS machine in `root`/home (a temporary folder), with
    HOME there too (shell history, less and vim files stay in it), TERM=xterm-256color and the prompt `k8sx$ `
    (as an image's ENV would set them). Its attach output is `root`/attach.log (CRI log lines).
    tty_container: the containers are started with a TTY and stdin (as `kubectl run -it` does), for attach.
    Returns the working directory."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".bashrc").write_text("PS1='k8sx$ '\n")
    logfile = root / "attach.log"
    logfile.touch()
    envs = {"TERM": "xterm-256color", "HOME": str(home), "PS1": "k8sx$ ", "LESSHISTFILE": "-"}
    pod = kwok_pod(name, containers, workdir=home, envs=envs, attach_log=logfile, tty=tty_container)
    apply(stack, namespace, pod)
    wait_pod_phase(stack, namespace, name)
    return home


# ---------------------------------------------------------------- pods on the real node (a kubelet, containerd)
# Run every test that uses them under `flock /tmp/real-node.lock`: the node has only 4 local volumes.

REAL_NODE_TOLERATION = {"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}


def real_node_pod(
    name: str,
    image: str,
    command: list[str],
    restart: str | None = "Never",
    grace_s: int | None = 1,
    labels: dict[str, str] | None = None,
    claim: str | None = None,
) -> dict[str, Any]:
    """A pod for the real node running `command`; `claim`: a PVC mounted at /persistent. None leaves the API's
    default (restartPolicy Always, a 30 s grace period)."""
    container: dict[str, Any] = {"name": "main", "image": image, "command": command}
    spec: dict[str, Any] = {"nodeSelector": {"type": "real"}, "tolerations": [REAL_NODE_TOLERATION]}
    if restart is not None:
        spec["restartPolicy"] = restart
    if grace_s is not None:
        spec["terminationGracePeriodSeconds"] = grace_s
    spec["containers"] = [container]
    if claim is not None:
        container["volumeMounts"] = [{"name": "persistent", "mountPath": "/persistent"}]
        spec["volumes"] = [{"name": "persistent", "persistentVolumeClaim": {"claimName": claim}}]
    metadata: dict[str, Any] = {"name": name} | ({"labels": labels} if labels else {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def claim_of(name: str, storage_class: str) -> dict[str, Any]:
    """A 1 GiB ReadWriteOnce claim (on the real node: its storage class, from K8SX_REAL_STORAGE_CLASS)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": {
            "storageClassName": storage_class,
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }


def start_real_node_pod(
    stack: StackEnv,
    namespace: str,
    image: str,
    name: str,
    command: list[str],
    phase: str,
    restart: str = "Never",
    timeout: float = 120.0,
) -> None:
    """A pod on the real node running `command`; returns once it is in `phase`."""
    apply(stack, namespace, manifest(real_node_pod(name, image, command, restart)))
    wait_pod_phase(stack, namespace, name, phase, timeout)


def busybox_image(client: DockerClient, tag: str = "k8sx-test/busybox:terminal") -> str:
    """A FROM-scratch busybox image (every applet installed: sh, vi, top ...); returns its id."""
    image, _ = client.images.build(fileobj=busybox_context(), custom_context=True, tag=tag, rm=True)
    return str(image.id)


def shell_less_image(client: DockerClient, tag: str = "k8sx-test/no-shell:terminal") -> str:
    """An image with /bin/busybox only: no bash, no sh (the applets are not installed)."""
    context = busybox_context(dockerfile="FROM scratch\nCOPY busybox /bin/busybox\n")
    image, _ = client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True)
    return str(image.id)


def push_image(stack: StackEnv, build: Callable[[DockerClient, str], str], ref: str) -> str:
    """An image built by `build` (e.g. busybox_image) and pushed to the stack's registry, for pods that really run
    on the real node; returns `ref`."""
    client = DockerClient(base_url=stack.docker_host, timeout=120)
    try:
        build(client, ref)
        for message in client.api.push(ref, stream=True, decode=True):
            assert "error" not in message, message
    finally:
        client.close()
    return ref


# ---------------------------------------------------------------- a connection that can be cut (issue 4, logs)


class TcpProxy:
    """A TCP proxy in front of the API server (TLS passes through untouched, so the certificates still match):
    `drop()` resets every open connection, as a network failure would; `refuse()` turns new ones away until
    `accept()`. Point a kubeconfig at `server` (see kubeconfig_with_server).

    With `cut_after` (bytes), every connection is reset once that many bytes passed through it (both ways
    counted), as a flaky load balancer or an idle timeout does to a long download; `cuts` counts them."""

    def __init__(self, target: str, cut_after: int | None = None) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 443)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.server = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting = threading.Event()
        self._accepting.set()
        self._closed = False
        self._cut_after = cut_after
        self.cuts = 0
        threading.Thread(target=self._serve, name="tcp-proxy", daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._accepting.is_set():
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            link = [0, 0]  # bytes through this connection both ways, and its directions ended (shared by its pipes)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink, link), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, link: list[int]) -> None:
        try:
            while data := source.recv(65536):
                room = self._room(link, len(data))
                sink.sendall(data[:room])
                if room < len(data):
                    break
            else:
                self._pass_end(source, sink, link)
                return
        except OSError:
            pass
        for end in (source, sink):
            self._reset(end)

    def _pass_end(self, source: socket.socket, sink: socket.socket, link: list[int]) -> None:
        """One side finished sending: pass its FIN on and keep the other way open. A reset here would throw away
        what the other side has not read yet (an exec's last output and its status)."""
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
        with self._lock:
            link[1] += 1
            if link[1] < 2:
                return
            self._open.difference_update((source, sink))
        source.close()
        sink.close()

    def _room(self, link: list[int], size: int) -> int:
        """How much of the next `size` bytes may pass before this connection is cut (all of them without cut_after)."""
        if self._cut_after is None:
            return size
        with self._lock:
            room = max(0, self._cut_after - link[0])
            link[0] += size
            if size > room and link[0] - size <= self._cut_after:
                self.cuts += 1  # the first pipe to cross the limit counts the cut; the other sees a reset end
            return min(size, room)

    def _reset(self, end: socket.socket) -> None:
        """Cut one end: shut down first (a close alone neither wakes a thread blocked reading it nor tells the
        peer), then close with a zero linger, which sends a reset."""
        with self._lock:
            self._open.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        with contextlib.suppress(OSError):
            end.close()

    def drop(self) -> int:
        """Reset every open connection; returns how many there were."""
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._reset(end)
        return len(ends) // 2

    def refuse(self) -> None:
        self._accepting.clear()

    def accept(self) -> None:
        self._accepting.set()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.drop()


def resume_until_done(attempt: Callable[[bool], T], attempts: int) -> tuple[T | None, list[str]]:
    """Call attempt(resume) until it returns: first resume=False, then resume=True after each TransferFailed, at
    most `attempts` calls. Returns its result (None when every call failed) and the message of each failure."""
    failures: list[str] = []
    for index in range(attempts):
        try:
            return attempt(index > 0), failures
        except TransferFailed as exc:
            failures.append(str(exc))
    return None, failures
