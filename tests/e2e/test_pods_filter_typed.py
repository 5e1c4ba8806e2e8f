"""The pod list's filter typed a key at a time while pods come and go, and its columns' widths as pods leave,
against the real API server: what the table keeps between changes to answer 100,000 pods quickly (the order, the
rows a narrowing filter looks at, the columns' lengths counted) shows what a fresh pass over every pod would."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

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


async def test_a_filter_typed_at_once_after_the_slash_goes_to_the_filter_not_to_the_pod_lists_keys(
    stack: StackEnv, namespace: str
) -> None:
    """`/rea` read in one go from the terminal (a fast typist, a paste): the app hands every key to what has the
    focus as it reads them, all before `/` has moved the focus. Once `r` opened Pull results and the rest was lost."""
    for name in ("real-1", "other"):
        create_pod(stack, namespace, name)
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: len(shown_names(app)) == 2, what="two pods")
        pods = app.screen
        for key, character in (("slash", "/"), ("r", "r"), ("e", "e"), ("a", "a")):
            typed = events.Key(key, character)  # as the terminal's input thread posts them: no wait between
            typed.set_sender(app)
            app.post_message(typed)
        await settle(pilot, lambda: shown_names(app) == ["real-1"], what="the filter rea")
        assert app.screen is pods, f"a key opened {type(app.screen).__name__}"
        assert pods.query_one("#pods-filter", Input).value == "rea"
