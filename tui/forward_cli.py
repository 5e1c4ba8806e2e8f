"""`k8sx-tui forward [-n NS] POD|experiment/NAME [ADDRESS:]LOCAL:REMOTE…`: the app's surviving forward in the
foreground, with a one-line status (rewritten in place on a terminal, a new line per change otherwise), until
Ctrl+C. Follows the pod's experiment (its k8sx.dev/experiment label) or, without one, its name.

"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from tui.launch import LaunchOptions
from tui.models.forward.forward import ForwardSpec, one_line
from tui.models.forward.ports import PortRequest, parse_request
from tui.services.forward.local_port import PortInUse
from tui.services.forward.manager import ForwardManager
from tui.services.forward.pod_ports import pod_ports
from tui.services.kube.kube import KubeService

EXPERIMENT_PREFIX = "experiment/"
REFRESH_S = 1.0


def run_forward(
    options: LaunchOptions,
    target: str,
    ports: Sequence[str],
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
) -> int:
    """0 after Ctrl+C (or `stop`), 2 for bad arguments, 1 when a forward cannot start; every failure in words."""
    kube = KubeService(options.kubeconfig, options.context, options.namespace, options.exec_protocol)
    try:
        requests = [parse_request(text) for text in ports]
        kube.api_client()  # reads the kubeconfig: the context's namespace is known from here on
        namespace, pod, experiment = resolve_target(kube, target)
    except ValueError as exc:
        print(f"k8sx-tui forward: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"k8sx-tui forward: {kube.explain(exc)}", file=sys.stderr)
        return 1
    manager = ForwardManager(kube)
    try:
        for request in requests:
            manager.start(spec_of(namespace, pod, experiment, request), exact_port=request.local is not None)
    except (PortInUse, OSError) as exc:
        manager.stop_all()
        print(f"k8sx-tui forward: {exc}", file=sys.stderr)
        return 1
    if threading.current_thread() is threading.main_thread():
        # Started in the background by a shell without job control, a program inherits SIGINT ignored, and Python
        # then never raises KeyboardInterrupt: Ctrl+C (or the SIGINT a supervisor sends) must still stop it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        report(manager, out, stop or threading.Event())
    except KeyboardInterrupt:
        pass
    finally:
        manager.stop_all()
    print(file=out)
    return 0


def resolve_target(kube: KubeService, target: str) -> tuple[str, str, str]:
    """(namespace, pod, experiment): `experiment/NAME` follows the label; a pod's own label is followed too."""
    namespace = kube.namespace
    if target.startswith(EXPERIMENT_PREFIX):
        name = target[len(EXPERIMENT_PREFIX) :]
        if not name:
            raise ValueError("experiment/NAME needs a name")
        return namespace, "", name
    if not target or "/" in target:
        raise ValueError(f"'{target}' is neither a pod's name nor experiment/NAME")
    return namespace, target, pod_ports(kube, namespace, target).experiment


def spec_of(namespace: str, pod: str, experiment: str, request: PortRequest) -> ForwardSpec:
    local = request.local if request.local is not None else request.remote
    return ForwardSpec(namespace, pod or experiment, request.remote, local, request.address, experiment)


def report(manager: ForwardManager, out: TextIO, stop: threading.Event) -> None:
    on_terminal, shown = out.isatty(), ""
    while not stop.is_set():
        line = "  |  ".join(one_line(status) for status in manager.statuses())
        if on_terminal:
            out.write(f"\r\x1b[K{line}")
            out.flush()
        elif line != shown:
            out.write(line + "\n")
            out.flush()
        shown = line
        stop.wait(REFRESH_S)
