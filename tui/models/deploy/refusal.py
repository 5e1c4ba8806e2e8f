"""An API server's refusal of a manifest in short words: the field as the user wrote it (`spec.containers[0]`, not
server-side apply's `.spec.containers[name="main"]`), the value it holds there, and for an unknown field the known
one it was probably meant to be. Pure logic over the Status body and the manifest that was sent; the caller keeps
the API's own message as the detail. [] whenever there is nothing clearer to say than that message."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

Manifest = dict[str, Any]
Segment = str | int  # a field name or map key, or a list index

# What server-side apply says when the manifest does not fit the schema (no details.causes, just this message).
_TYPED_PATCH = re.compile(r"failed to create typed patch object \([^)]*\): (?P<rest>.*)", re.DOTALL)
_EXPECTED = re.compile(r"expected (?P<what>[a-z]+)")
# fieldValidation=Strict on a create or update (kubectl --validate=strict): every unknown field, in index form.
_STRICT_UNKNOWN = re.compile(r'unknown field "(?P<path>[^"]+)"')
_QUANTITY_WORDS = ("quantities must match the regular expression", "unable to parse quantity")
_QUANTITY = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<suffix>.*)")
_QUANTITY_SUFFIX = re.compile(r"|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+")
_QUANTITY_MAPS = frozenset({"limits", "requests", "overhead", "hard"})  # maps of resource name -> quantity
_QUANTITY_FIELDS = frozenset({"sizeLimit"})
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_VALIDATION_TAIL = re.compile(r"\s*\((?:e\.g\.|regex used)[^)]*(?:\)[^)]*)*\)\s*$")  # `(e.g. 'x', regex used …)`
_MODELS = {"Pod": "V1Pod", "Job": "V1Job", "PersistentVolumeClaim": "V1PersistentVolumeClaim"}
_EXPECTED_WORDS = {
    "list": "a list",
    "map": "a map (key: value)",
    "string": "a string",
    "boolean": "true or false",
    "numeric": "a number",
}
SHOWN_CHARS = 40


def explain(status: Mapping[str, Any] | None, message: str, manifest: Manifest) -> list[str]:
    """One short line per problem the refusal names, or [] when the API's message is as clear as it gets."""
    causes = ((status or {}).get("details") or {}).get("causes") or []
    if causes:
        return _from_causes(causes, manifest)
    if typed := _TYPED_PATCH.search(message):
        return _from_typed_patch(typed["rest"], manifest)
    if strict := _STRICT_UNKNOWN.findall(message):
        return [_unknown(_index_path(path), manifest) for path in strict]
    if any(words in message for words in _QUANTITY_WORDS):
        return [
            f"{_shown_path(path)}: {_shown(value)} is not a quantity (like 2Gi, 512Mi, 1.5, 500m)"
            for path, value in bad_quantities(manifest)
        ]
    return []


# ---------------------------------------------------------------- Status causes (422 Invalid)

_CAUSE_REASONS = frozenset(
    {
        "FieldValueRequired",
        "FieldValueInvalid",
        "FieldValueNotSupported",
        "FieldValueDuplicate",
        "FieldValueTooLong",
        "FieldValueTooMany",
    }
)
_VALUE_SAID = ("Invalid value: ", "Unsupported value: ", "Duplicate value: ", "Too long: ")


def _from_causes(causes: list[Any], manifest: Manifest) -> list[str]:
    """Only when every cause is of a kind said better here: a forbidden change (`pod updates may not change
    fields`) comes with a long diff that the caller explains in its own way."""
    if not all(isinstance(c, Mapping) and c.get("reason") in _CAUSE_REASONS and c.get("field") for c in causes):
        return []
    return [_cause(str(c["field"]), str(c.get("message") or ""), str(c["reason"]), manifest) for c in causes]


def _cause(field: str, said: str, reason: str, manifest: Manifest) -> str:
    """`Required value` -> `F is required`; `Invalid value: "My_Pod": a lowercase RFC 1123 …` -> `F "My_Pod": a
    lowercase RFC 1123 …`, without the regex the API adds (its message keeps it)."""
    said = _VALIDATION_TAIL.sub("", said)
    if reason == "FieldValueRequired":
        rest = said.removeprefix("Required value").lstrip(": ")
        found, value = _lookup(manifest, _index_path(field))
        if found and value not in (None, "", [], {}):  # a Job's `restartPolicy: Always` is "Required value" too
            return f"{field} {_shown(value)} is not allowed here" + (f" ({rest})" if rest else "")
        return f"{field} is required" + (f" ({rest})" if rest else "")
    for prefix in _VALUE_SAID:
        if said.startswith(prefix):
            return f"{field} {said.removeprefix(prefix)}"
    return f"{field}: {said}"


# ---------------------------------------------------------------- server-side apply's schema errors (500)


def _from_typed_patch(rest: str, manifest: Manifest) -> list[str]:
    parsed = _ssa_path(rest)
    if parsed is None:
        return []
    raw, problem = parsed
    path = _resolve(raw, manifest)
    if path is None:
        return []
    if problem.startswith("field not declared in schema"):
        return [_unknown(path, manifest)]
    expected = _EXPECTED.match(problem)
    if expected is None or expected["what"] not in _EXPECTED_WORDS:
        return []
    found, value = _lookup(manifest, path)
    given = f", not {_shown(value)} ({_kind_of(value)})" if found else ""
    quote = ": quote it" if expected["what"] == "string" and found and not isinstance(value, dict | list) else ""
    return [f"{_shown_path(path)} must be {_EXPECTED_WORDS[expected['what']]}{given}{quote}"]


def _ssa_path(text: str) -> tuple[list[Segment | dict[str, Any]], str] | None:
    """`.spec.containers[name="main"].imagee: field not declared in schema` -> the path's elements (a dict for a
    keyed list element, an int for an index) and what is wrong there; None when it is not such a path."""
    elements: list[Segment | dict[str, Any]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == ".":
            end = i + 1
            while end < len(text) and text[end] not in ".[:":
                end += 1
            elements.append(text[i + 1 : end])
            i = end
        elif char == "[":
            close, inside = _bracket(text, i + 1)
            if close is None:
                return None
            elements.append(_bracket_element(inside))
            i = close + 1
        elif text.startswith(": ", i) and elements:
            return elements, text[i + 2 :]
        else:
            return None
    return None


def _bracket(text: str, start: int) -> tuple[int | None, str]:
    """The index of the `]` closing a bracket opened before start (quoted strings may hold `]`), and the inside."""
    quoted = False
    i = start
    while i < len(text):
        char = text[i]
        if quoted and char == "\\":
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "]" and not quoted:
            return i, text[start:i]
        i += 1
    return None, ""


def _bracket_element(inside: str) -> Segment | dict[str, Any]:
    """`3` -> 3; `name="main",protocol="TCP"` -> {"name": "main", "protocol": "TCP"}; `="x"` (a set's value) ->
    {"": "x"}. Values are JSON."""
    if inside.isdigit():
        return int(inside)
    keys: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    i = 0
    while i < len(inside):
        equals = inside.find("=", i)
        if equals < 0:
            break
        try:
            value, end = decoder.raw_decode(inside, equals + 1)
        except ValueError:
            break
        keys[inside[i:equals]] = value
        i = end + 1  # past the comma
    return keys


def _resolve(raw: list[Segment | dict[str, Any]], manifest: Manifest) -> list[Segment] | None:
    """The path as the user wrote it: a keyed list element becomes the index of the element it names (a key the
    element leaves out is one the server defaulted); a map key holding dots is put back together."""
    path: list[Segment] = []
    node: Any = manifest
    i = 0
    while i < len(raw):
        element = raw[i]
        if isinstance(element, dict):
            if not isinstance(node, list):
                return None
            index = next((n for n, item in enumerate(node) if _matches(item, element)), None)
            if index is None:
                return None
            path.append(index)
            node = node[index]
        elif isinstance(element, int):
            path.append(element)
            node = node[element] if isinstance(node, list) and element < len(node) else None
        else:
            name, taken = element, 1
            if isinstance(node, dict):  # labels and annotations: `.metadata.labels.app.kubernetes.io/name`
                for end in range(len(raw), i + 1, -1):
                    if (
                        all(isinstance(e, str) for e in raw[i:end])
                        and (joined := ".".join(map(str, raw[i:end]))) in node
                    ):
                        name, taken = joined, end - i
                        break
            path.append(name)
            node = node.get(name) if isinstance(node, dict) else None
            i += taken
            continue
        i += 1
    return path


def _matches(item: Any, keys: dict[str, Any]) -> bool:
    if "" in keys:  # an element of a set of values
        return bool(item == keys[""])
    return isinstance(item, dict) and all(
        k not in item or item[k] == v or str(item[k]) == str(v) for k, v in keys.items()
    )


# ---------------------------------------------------------------- unknown fields and what they were meant to be


def _unknown(path: list[Segment], manifest: Manifest) -> str:
    name, parent = str(path[-1]), path[:-1]
    where = f" in {_shown_path(parent)}" if parent else " at the top level"
    meant = did_you_mean(name, known_fields(str(manifest.get("kind")), parent))
    return f"unknown field {_shown(name)}{where}" + (f" (did you mean {_shown(meant)}?)" if meant else "")


def did_you_mean(name: str, known: list[str]) -> str | None:
    """The known name a misspelt one stands for: the same but for case and `_`/`-` (volume_mounts), else the
    closest by spelling, if close enough."""
    folded = {k.lower(): k for k in known}
    same = folded.get(name.lower().replace("_", "").replace("-", ""))
    if same:
        return same
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return close[0] if close else None


def known_fields(kind: str, path: list[Segment]) -> list[str]:
    """The field names of the object at path in a manifest of kind, from the Kubernetes client's models (which
    know every field's name and type); [] when the path leaves the schema (a map's key, an unknown kind)."""
    model = _MODELS.get(kind)
    for segment in path:
        if model is None:
            return []
        if isinstance(segment, int):
            continue  # a list's item: its type is already the item's
        model = _field_types(model).get(segment)
    return sorted(_field_types(model)) if model else []


@cache
def _field_types(model: str) -> dict[str, str | None]:
    """JSON field name -> the model of its value (a list's or map's item model), None for a scalar. Imported
    here, not at start-up: only a refused manifest needs the models."""
    import kubernetes.client as models

    cls = getattr(models, model, None)
    if cls is None:
        return {}
    types: dict[str, str] = getattr(cls, "openapi_types", {}) or {}
    names: dict[str, str] = getattr(cls, "attribute_map", {}) or {}
    result: dict[str, str | None] = {}
    for attribute, json_name in names.items():
        found = re.findall(r"V\d\w*", types.get(attribute, ""))
        result[json_name] = found[-1] if found else None
    return result


# ---------------------------------------------------------------- quantities


def is_quantity(text: str) -> bool:
    """What the API server parses as a quantity: a number, then one suffix (Ki … Ei, n u m k M G T P E, or an
    exponent)."""
    number = _QUANTITY.fullmatch(text)
    return number is not None and _QUANTITY_SUFFIX.fullmatch(number["suffix"]) is not None


def bad_quantities(manifest: Manifest) -> list[tuple[list[Segment], str]]:
    """Every quantity field (resources' limits and requests, a claim's storage, an emptyDir's sizeLimit) holding a
    string the API server would not take: it names none of them when it refuses one."""
    return [
        (path, value)
        for path, value in _leaves(manifest, [])
        if isinstance(value, str)
        and len(path) >= 2
        and (str(path[-2]) in _QUANTITY_MAPS or str(path[-1]) in _QUANTITY_FIELDS)
        and not is_quantity(value)
    ]


def _leaves(node: Any, path: list[Segment]) -> Iterator[tuple[list[Segment], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, [*path, str(key)])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, [*path, index])
    else:
        yield path, node


# ---------------------------------------------------------------- words


def _index_path(text: str) -> list[Segment]:
    """`spec.containers[0].imagee` -> ["spec", "containers", 0, "imagee"]."""
    path: list[Segment] = []
    for part in text.split("."):
        name, *indexes = part.split("[")
        path.append(name)
        path.extend(int(i.rstrip("]")) for i in indexes if i.rstrip("]").isdigit())
    return path


def _lookup(manifest: Manifest, path: list[Segment]) -> tuple[bool, Any]:
    """Whether the manifest holds something at path, and what."""
    node: Any = manifest
    for segment in path:
        there = (
            segment < len(node)
            if isinstance(node, list) and isinstance(segment, int)
            else isinstance(node, dict) and segment in node
        )
        if not there:
            return False, None
        node = node[segment]
    return True, node


def _shown_path(path: list[Segment]) -> str:
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_KEY.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            text += f'["{segment}"]'
    return text


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
    return f"'{text}'" if isinstance(value, str) else text


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else "empty"
