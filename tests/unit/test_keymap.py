"""The key map: remaps by binding id, unknown ids and keys that two actions would share are refused and named."""

from textual.binding import Binding
from textual.widget import Widget

from tui.app import app_node_classes
from tui.keymap import BindingInfo, bindings_with_ids, check_keymap, normalize_key

KNOWN = {
    "app.quit": BindingInfo("app.quit", ("ctrl+q",), "Quit"),
    "screen.pods": BindingInfo("screen.pods", ("1",), "Pods"),
    "pods.delete": BindingInfo("pods.delete", ("ctrl+d",), "Delete…"),
    "pods.logs": BindingInfo("pods.logs", ("l",), "Logs"),
    "pods.shell": BindingInfo("pods.shell", ("s",), "Shell"),
    "logs.search": BindingInfo("logs.search", ("slash",), "Search"),
}


def test_a_free_key_is_remapped() -> None:
    checked = check_keymap({"pods.delete": "ctrl+x"}, KNOWN)
    assert checked.keymap == {"pods.delete": "ctrl+x"}
    assert checked.problems == []


def test_an_unknown_id_is_named_with_a_suggestion() -> None:
    checked = check_keymap({"pods.delte": "ctrl+x"}, KNOWN)
    assert checked.keymap == {}
    assert checked.problems == ["keymap: unknown binding id 'pods.delte' (did you mean 'pods.delete'?); ignored"]


def test_a_key_taken_on_the_same_screen_is_refused_and_the_default_stays() -> None:
    checked = check_keymap({"pods.delete": "l"}, KNOWN)
    assert checked.keymap == {}
    [problem] = checked.problems
    assert problem.startswith("keymap: pods.delete → l ignored: l is already pods.logs (Logs) on the pods screen")


def test_a_key_taken_by_a_global_binding_is_refused() -> None:
    checked = check_keymap({"pods.delete": "1", "logs.search": "ctrl+p"}, KNOWN)
    assert checked.keymap == {}
    assert any("1 is already screen.pods" in p for p in checked.problems)
    assert any("ctrl+p is the command palette" in p for p in checked.problems)


def test_the_same_key_on_another_screen_is_fine_and_swaps_are_fine() -> None:
    assert check_keymap({"logs.search": "l"}, KNOWN).problems == []
    swapped = check_keymap({"pods.logs": "s", "pods.shell": "l"}, KNOWN)
    assert swapped.problems == []
    assert swapped.keymap == {"pods.logs": "s", "pods.shell": "l"}


def test_two_remaps_onto_one_key_keep_only_the_first() -> None:
    checked = check_keymap({"pods.logs": "x", "pods.shell": "x"}, KNOWN)
    assert len(checked.keymap) == 1
    assert len(checked.problems) == 1


def test_characters_and_textual_key_names_are_the_same_key() -> None:
    assert normalize_key("/") == "slash"
    assert normalize_key("?") == "question_mark"
    assert (
        check_keymap(
            {"pods.logs": "/"}, {**KNOWN, "pods.filter": BindingInfo("pods.filter", ("slash",), "Filter")}
        ).keymap
        == {}
    )


def test_every_binding_of_the_app_has_an_id_with_a_scope_and_a_description() -> None:
    missing = []
    for cls in app_node_classes():
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if not binding.id or "." not in binding.id or not binding.description:
                missing.append(f"{cls.__module__}.{cls.__name__}: {binding.key} → {binding.action}")
    assert missing == []
    known = bindings_with_ids(app_node_classes())
    assert {"app.help", "pods.delete", "images.delete", "logs.search", "terminal.close"} <= set(known)


def test_only_own_bindings_are_collected() -> None:
    class Child(Widget):
        BINDINGS = [Binding("z", "zap", "Zap", id="test.zap")]

    class Grandchild(Child):
        pass

    assert list(bindings_with_ids([Child, Grandchild])) == ["test.zap"]
