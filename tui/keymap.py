"""The user's key map (`keymap:` in config.yaml) checked before Textual applies it with `App.set_keymap`.

Binding ids are "scope.action"; the scope is the screen a binding lives on ("pods.delete" on the pod list, also
for the pod table widget there). `app.*` and `screen.*` bindings work on every screen. A remap is refused, with a
message, when its id is unknown or when it would put two different actions on one key in one scope.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import _character_to_key

GLOBAL_SCOPES = {"app", "screen"}
# Keys Textual itself handles on every screen; a remap onto one of them would silently lose one of the two.
RESERVED_KEYS = {
    "ctrl+p": "the command palette",
    "ctrl+c": "copy / quit",
    "tab": "next field",
    "shift+tab": "previous field",
}


@dataclass(frozen=True)
class BindingInfo:
    id: str
    keys: tuple[str, ...]
    description: str

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class CheckedKeymap:
    keymap: dict[str, str]  # what to give to App.set_keymap
    problems: list[str]


def normalize_key(key: str) -> str:
    """Textual's long form ("?" -> "question_mark"), so "/" in a config and "slash" in the code are the same key."""
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def split_keys(keys: str) -> tuple[str, ...]:
    return tuple(normalize_key(key) for key in keys.split(",") if key.strip())


def bindings_with_ids(classes: Iterable[type[DOMNode]]) -> dict[str, BindingInfo]:
    """Every binding with an id that these classes declare themselves (inherited BINDINGS are not repeated)."""
    found: dict[str, BindingInfo] = {}
    for cls in classes:
        declared: list[BindingType] = list(cls.__dict__.get("BINDINGS", []))
        for binding in Binding.make_bindings(declared):
            if not binding.id:
                continue
            # make_bindings splits "d,enter" into one Binding per key: gather them again under their id.
            before = found.get(binding.id)
            keys = (*before.keys, *split_keys(binding.key)) if before else split_keys(binding.key)
            found[binding.id] = BindingInfo(binding.id, tuple(dict.fromkeys(keys)), binding.description)
    return found


def node_classes(root: type[DOMNode], package: str = "tui") -> list[type[DOMNode]]:
    """The app's own screens and widgets (every DOMNode subclass defined in `package`) plus `root`."""
    seen: list[type[DOMNode]] = [root]
    stack: list[type[DOMNode]] = [DOMNode]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] == package and sub not in seen:
                seen.append(sub)
    return seen


def check_keymap(wanted: Mapping[str, str], known: Mapping[str, BindingInfo]) -> CheckedKeymap:
    problems: list[str] = []
    keymap: dict[str, str] = {}
    for binding_id, keys in wanted.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else " (press ? in the app to see the ids)"
            problems.append(f"keymap: unknown binding id '{binding_id}'{hint}; ignored")
            continue
        taken = [key for key in split_keys(keys) if key in RESERVED_KEYS]
        if taken:
            problems.append(f"keymap: {binding_id} → {taken[0]} ignored: {taken[0]} is {RESERVED_KEYS[taken[0]]}")
        else:
            keymap[binding_id] = ",".join(split_keys(keys))
    # Drop remaps that clash until none is left: a clash with a remap is one of them, never a default's fault.
    while clash := _first_clash(keymap, known):
        binding_id, key, other = clash
        problems.append(
            f"keymap: {binding_id} → {key} ignored: {key} is already {other} "
            f"({known[other].description}) on the {_scope_name(known[binding_id].scope, known[other].scope)}"
        )
        del keymap[binding_id]
    return CheckedKeymap(keymap, problems)


def _first_clash(keymap: Mapping[str, str], known: Mapping[str, BindingInfo]) -> tuple[str, str, str] | None:
    """(remapped id, key, other id) for the first remap that lands on a key another action has in its scope."""
    effective = {binding_id: split_keys(keymap[binding_id]) if binding_id in keymap else info.keys
                 for binding_id, info in known.items()}  # fmt: skip
    for binding_id in keymap:
        scope = known[binding_id].scope
        for other, keys in effective.items():
            other_scope = known[other].scope
            shared = scope in GLOBAL_SCOPES or other_scope in GLOBAL_SCOPES or other_scope == scope
            if other == binding_id or not shared:
                continue
            for key in effective[binding_id]:
                if key in keys:
                    return binding_id, key, other
    return None


def _scope_name(a: str, b: str) -> str:
    if a in GLOBAL_SCOPES and b in GLOBAL_SCOPES:
        return "every screen"
    return f"{b if a in GLOBAL_SCOPES else a} screen"
