"""The pod list's filter typed a key at a time while pods come and go, and its columns' widths as pods leave,
against the real API server: what the table keeps between changes to answer 100,000 pods quickly (the order, the
rows a narrowing filter looks at, the columns' lengths counted) shows what a fresh pass over every pod would."""

from __future__ import annotations

from tests.e2e.test_pods_screen import create_pod, rendered_lines, shown_names
from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.stack import StackEnv, kubectl

LONG = "alpha-with-a-name-long-enough-to-widen-its-column"


def name_column_width(app: object) -> int:
    """Where the header's READY starts: the NAME column's width as drawn."""
    header = rendered_lines(app)[0]  # type: ignore[arg-type]
    return header.index("READY")


async def test_filter_typed_key_by_key_while_pods_come_and_go(stack: StackEnv, namespace: str) -> None:
    for name in ("alpha-1", "alpha-12", "beta-1"):
        create_pod(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 3, what="three pods")
        await pilot.press("slash", *"alpha-1")
        await settle(pilot, lambda: shown_names(app) == ["alpha-1", "alpha-12"], what="typed alpha-1")

        create_pod(stack, namespace, "alpha-13")  # while the filter stands
        kubectl(stack, "delete", "pod", "alpha-1", "-n", namespace, "--grace-period=0", "--force")
        await settle(pilot, lambda: shown_names(app) == ["alpha-12", "alpha-13"], what="pods come and go")
        await pilot.press("3")  # typed further: only the rows shown are looked at again
        await settle(pilot, lambda: shown_names(app) == ["alpha-13"], what="typed alpha-13")
        await pilot.press("backspace", "backspace")  # wider again: every pod
        await settle(pilot, lambda: shown_names(app) == ["alpha-12", "alpha-13"], what="back to alpha-")
        assert "2 of 3 pods" in pods_info(app)
        filters: list[str] = []
        table = app.screen.table  # type: ignore[attr-defined]
        set_filter = table.set_filter
        table.set_filter = lambda text: (filters.append(text), set_filter(text))[1]
        await pilot.press("escape")
        await settle(pilot, lambda: shown_names(app) == ["alpha-12", "alpha-13", "beta-1"], what="filter cleared")
        await pilot.pause(0.2)  # the box's own Changed message, which comes after Esc's
        assert filters == [""], filters  # once: each pass looks at every pod (100,000 of them, in bench/pods.py)


async def test_the_name_column_narrows_when_its_longest_pod_goes(stack: StackEnv, namespace: str) -> None:
    create_pod(stack, namespace, "alpha-1")
    create_pod(stack, namespace, LONG)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 2, what="two pods")
        wide = name_column_width(app)
        assert wide > len(LONG)
        kubectl(stack, "delete", "pod", LONG, "-n", namespace, "--grace-period=0", "--force")
        await settle(pilot, lambda: shown_names(app) == ["alpha-1"], what="the long-named pod gone")
        await settle(pilot, lambda: name_column_width(app) < len("alpha-1") + 8, what="the NAME column narrowed")
