"""Tables fit the terminal's width (issue 18, item 15): at 120 columns the pod list shows every column, NODE and IMAGE
included, with realistic names cut by an ellipsis; at 200 columns nothing is cut; a resize cuts or widens again.
The Forwards view's columns fit the same way. The real app against the real API server (kwok pods)."""

from __future__ import annotations

import json

from textual.widgets import DataTable

from tests.support.app import make_app, settle
from tests.support.stack import StackEnv, kubectl
from tui.app import K8sxApp
from tui.models.forward.forward import ForwardSpec
from tui.screens.forward.forwards import COLUMNS as FORWARD_COLUMNS
from tui.screens.forward.forwards import ForwardsScreen
from tui.screens.pods.pods import PodsScreen
from tui.widgets.pod_table import PodTableView

IMAGE = "127.0.0.1:5000/team/project/trainer:0.12"
NAMES = (  # ~40 characters, alike but for their ends, as a sweep's pods are
    "eval-imagenet-val-resnet50-ckpt-0012-b9d4f",
    "resnet50-finetune-lr0001-bs64-seed3-x7k2p",
    "resnet50-finetune-lr0010-bs128-seed1-m2q8z",
)


def create_pods(stack: StackEnv, namespace: str) -> None:
    for name in NAMES:
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name},
            "spec": {"nodeSelector": {"type": "kwok"}, "containers": [{"name": "main", "image": IMAGE}]},
        }
        kubectl(stack, "apply", "-n", namespace, "-f", "-", input=json.dumps(pod))


def pod_view(app: K8sxApp) -> PodTableView:
    screen = app.screen
    assert isinstance(screen, PodsScreen)
    return screen.query_one(PodTableView)


def drawn(app: K8sxApp) -> list[str]:
    """What the pod list draws on screen (header first)."""
    view = pod_view(app)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def running_rows(app: K8sxApp) -> list[str]:
    return [line for line in drawn(app)[1:] if " Running " in line]


def cut_of(cell: str, whole: str) -> bool:
    """`cell` is `whole` cut with an ellipsis (its start and end kept)."""
    head, _, tail = cell.partition("…")
    return cell != whole and whole.startswith(head) and whole.endswith(tail)


def assert_fits(app: K8sxApp) -> None:
    """Every column's title on screen, nothing to scroll sideways to."""
    view = pod_view(app)
    assert view.virtual_size.width <= view.size.width and view.max_scroll_x == 0, (view.virtual_size, view.size)
    header = drawn(app)[0].split()
    assert [title.rstrip("↑↓") for title in header] == view.columns, header


async def test_the_pod_list_fits_120_columns_and_widens_at_200(stack: StackEnv, namespace: str) -> None:
    create_pods(stack, namespace)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: len(running_rows(app)) == 3, what="three pods running")
        assert_fits(app)
        rows = running_rows(app)
        for row, name in zip(rows, NAMES, strict=True):
            cells = row.split()
            assert cut_of(cells[0], name) and cells[0].endswith(name[-5:]), row  # the end that tells pods apart kept
            assert cut_of(cells[-1], IMAGE) and cells[-2].startswith("kwok"), row

        await pilot.press("slash", *"x7k2p", "enter")  # the filter still matches the whole name
        await settle(pilot, lambda: len(running_rows(app)) == 1, what="the filter applied")
        assert running_rows(app)[0].split()[0].endswith("x7k2p")
        await pilot.press("o")  # sort by the next column: its arrow shown, every column still on screen
        await settle(pilot, lambda: "READY↑" in drawn(app)[0], what="sorted by READY")
        assert_fits(app)

        await pilot.resize_terminal(200, 50)
        await settle(pilot, lambda: NAMES[1] in "".join(running_rows(app)), what="the names whole at 200 columns")
        assert_fits(app)
        row = running_rows(app)[0]
        assert row.split()[0] == NAMES[1] and row.split()[-1] == IMAGE and "…" not in row, row

        await pilot.resize_terminal(120, 40)
        await settle(pilot, lambda: NAMES[1] not in "".join(running_rows(app)), what="cut again at 120 columns")
        assert_fits(app)


async def test_the_forwards_view_fits_120_columns(stack: StackEnv, namespace: str) -> None:
    """A forward to a long-named pod: its row and header fit at 120 columns, the pod's name is whole at 200."""
    create_pods(stack, namespace)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: len(running_rows(app)) == 3, what="three pods")
        manager = app.forwards
        try:
            manager.start(ForwardSpec(namespace=namespace, pod=NAMES[1], remote_port=8080, local_port=0))
            await pilot.press("F")
            await settle(pilot, lambda: isinstance(app.screen, ForwardsScreen), what="the Forwards view")
            table = app.screen.query_one("#forwards", DataTable)
            await settle(pilot, lambda: table.row_count == 1, what="the forward listed")

            def fits() -> bool:
                widths = [column.get_render_width(table) for column in table.columns.values()]
                return sum(widths) <= table.scrollable_content_region.width and table.max_scroll_x == 0

            await settle(pilot, fits, what="the Forwards view fitted to 120 columns")
            assert [str(column.label) for column in table.columns.values()] == list(FORWARD_COLUMNS)
            pod = str(table.get_row_at(0)[1])
            assert cut_of(pod, f"{namespace}/{NAMES[1]}"), pod

            await pilot.resize_terminal(200, 50)
            await settle(
                pilot, lambda: str(table.get_row_at(0)[1]) == f"{namespace}/{NAMES[1]}", what="the pod's name whole"
            )
        finally:
            manager.stop_all()
