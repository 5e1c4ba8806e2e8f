"""`f` on a pod: pick one of its declared ports or type one (REMOTE, LOCAL:REMOTE, ADDRESS:LOCAL:REMOTE); the
forward starts at once on 127.0.0.1, the same port number or the next free one. A typed local port that is
taken is said in words, with the next free one offered."""

from __future__ import annotations

from functools import partial

from textual.screen import Screen

from tui.models.forward.forward import LOOPBACK, ForwardSpec
from tui.models.forward.ports import PortRequest, parse_request
from tui.models.pods.row import PodRow
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.failures import Notice
from tui.screens.forward.port_choice import PortChoiceScreen
from tui.screens.forward.registry import forwards_of
from tui.services.forward.local_port import PortInUse
from tui.services.forward.manager import ForwardManager
from tui.services.forward.pod_ports import pod_ports
from tui.services.kube.kube import KubeService

FORMS = "REMOTE · LOCAL:REMOTE · ADDRESS:LOCAL:REMOTE"
TYPE_HINT = f"↑↓ a declared port, or type {FORMS}"


class ForwardFlow:
    """Started by the pod list; its workers run on that screen."""

    def __init__(self, screen: Screen[None], kube: KubeService) -> None:
        self.screen, self.kube = screen, kube

    @property
    def manager(self) -> ForwardManager:
        return forwards_of(self.screen.app, self.kube)

    def start(self, row: PodRow) -> None:
        self.screen.run_worker(
            partial(self._ask, row), name="reading the pod's ports", group="forward-ask", thread=True,
            exclusive=True, exit_on_error=False,
        )  # fmt: skip

    def _ask(self, row: PodRow) -> None:
        problem, choices, experiment = TYPE_HINT, [], ""
        try:
            found = pod_ports(self.kube, row.namespace, row.name)
            choices, experiment = [choice.label for choice in found.ports], found.experiment
            if not choices:
                problem = f"no ports declared in {row.key}: type one ({FORMS})"
        except Exception as exc:
            problem = f"cannot read the pod's ports ({self.kube.explain(exc)}): type one"
        title = f"Forward a port of {row.key}" + (f" (experiment {experiment})" if experiment else "")

        def chosen(text: str | None) -> None:
            if text:
                self._chosen(row, experiment, text)

        self.screen.app.call_from_thread(self.screen.app.push_screen, PortChoiceScreen(title, choices, problem), chosen)

    def _chosen(self, row: PodRow, experiment: str, text: str) -> None:
        try:
            request = parse_request(text)
        except ValueError as exc:
            self.screen.notify(str(exc), title="Forward", severity="error", markup=False)
            return
        self._begin(row, experiment, request, exact=request.local is not None)

    def _begin(self, row: PodRow, experiment: str, request: PortRequest, exact: bool) -> None:
        local = request.local if request.local is not None else request.remote
        spec = ForwardSpec(row.namespace, row.name, request.remote, local, request.address, experiment)
        try:
            forward = self.manager.start(spec, exact_port=exact)
        except PortInUse as taken:
            self._offer_free(row, experiment, request, taken)
            return
        except OSError as exc:
            self.screen.notify(str(exc), title="Forward", severity="error", markup=False)
            return
        if spec.address != LOOPBACK:
            self.screen.notify(
                f"listening on {spec.address}, not only on this machine: whoever reaches {spec.address}:"
                f"{forward.spec.local_port} reaches the pod",
                title="Forward",
                severity="warning",
                markup=False,
                timeout=15,
            )
        moved = f" ({local} was in use)" if forward.spec.local_port != local else ""
        self.screen.post_message(Notice(forward.spec.summary + moved, title="Forward"))

    def _offer_free(self, row: PodRow, experiment: str, request: PortRequest, taken: PortInUse) -> None:
        if taken.free is None:
            self.screen.notify(str(taken), title="Forward", severity="error", markup=False)
            return
        free = taken.free

        def answered(yes: bool | None) -> None:
            if yes:
                self._begin(row, experiment, PortRequest(request.remote, free, request.address), exact=True)

        question = f"{taken}.\nForward {request.address}:{free} → {row.key}:{request.remote} instead?"
        self.screen.app.push_screen(ConfirmScreen(question, action_label=f"Use {free}"), answered)
