"""Home/End on tables (tui/screens/common/table_keys.py) have ids like every key, so they can be remapped and a
remap onto another action's key is refused."""

from __future__ import annotations

from tui.app import K8sxApp
from tui.keymap import bindings_with_ids, check_keymap, node_classes


def test_first_and_last_row_are_remappable_ids_that_work_on_every_screen() -> None:
    known = bindings_with_ids(node_classes(K8sxApp))
    assert known["screen.first-row"].keys == ("home",) and known["screen.last-row"].keys == ("end",)
    fine = check_keymap({"screen.first-row": "ctrl+home", "screen.last-row": "ctrl+end"}, known)
    assert fine.problems == [] and fine.keymap == {"screen.first-row": "ctrl+home", "screen.last-row": "ctrl+end"}
    clash = check_keymap({"screen.first-row": "d"}, known)  # d describes a pod: a screen.* key is everywhere
    assert clash.keymap == {} and "screen.first-row → d ignored" in clash.problems[0]
