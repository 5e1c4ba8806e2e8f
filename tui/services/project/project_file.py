"""Read and check `k8sx.yaml`: every problem named with its line and key (unknown keys with the known ones, wrong
types with what was expected), all of them at once, so one edit fixes them all.

```yaml
image: train                          # the repository path under the registry
registry: 127.0.0.1:5000/team         # or REGION-docker.pkg.dev/PROJECT/REPOSITORY
tag: "0.3"                            # optional: else one up from the last push of this image
build: {context: ., dockerfile: Dockerfile, args: {PYTHON: "3.11"}}
namespace: experiments                # optional: else the app's
pod:
  file: pod.yml                       # a pod YAML, or a template:
  template: {name: exp, command: "python train.py", gpu: 1, claim: results, claimSize: 10Gi}
paths: {data: /persistent/data, results: /persistent/out, code: /app}   # code: where code sync puts it
forwards: [{name: tensorboard, port: 6006}, {name: jupyter, port: 8888, local: 18888}]  # once g has it Running
```
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tui.models.deploy.pod_template import TemplateError, template_from_form
from tui.models.forward.presets import Preset, preset_from, twice
from tui.models.project.project_file import PROJECT_FILE, Project, ProjectError

# What each key holds. A dict is a nested mapping; a string names a kind of value checked by _CHECKS.
_TEMPLATE: dict[str, Any] = {
    "name": "text", "command": "words", "args": "words", "env": "mapping", "cpu": "text", "memory": "text",
    "gpu": "integer", "claim": "text", "claimSize": "text", "storageClass": "text", "mountPath": "text",
    "restartPolicy": "text", "nodeSelector": "mapping", "tolerations": "tolerations", "gpuType": "text",
    "spot": "text",
}  # fmt: skip
SCHEMA: dict[str, Any] = {
    "image": "text",
    "registry": "text",
    "tag": "text",
    "build": {"context": "text", "dockerfile": "text", "args": "mapping"},
    "namespace": "text",
    "pod": {"file": "text", "template": _TEMPLATE},
    "paths": {"data": "text", "results": "text", "code": "text"},
    "forwards": "forwards",
}
REQUIRED = ("image", "registry")
_FORM_NAMES = {"claimSize": "claim_size", "storageClass": "storage_class", "mountPath": "mount_path",
               "restartPolicy": "restart_policy", "nodeSelector": "node_selector", "gpuType": "gpu_type"}  # fmt: skip


def find_project(folder: Path) -> Path | None:
    candidate = folder / PROJECT_FILE
    return candidate if candidate.is_file() else None


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []
        self.lines: dict[str, int] = {}  # dotted key -> line, to point at a key when a later check fails

    def problem(self, node: Node, text: str) -> None:
        self.problems.append(f"{self.path.name} line {node.start_mark.line + 1}: {text}")

    def mapping(self, node: Node, schema: dict[str, Any], where: str) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where or 'the file'} must be a mapping of keys, not {_shape(node)}")
            return {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            dotted = f"{where}.{key}" if where else key
            if key not in schema:
                known = ", ".join(sorted(schema))
                self.problem(key_node, f"unknown key '{dotted}' (known{' in ' + where if where else ''}: {known})")
                continue
            if key in values:
                self.problem(key_node, f"'{dotted}' appears twice")
                continue
            self.lines[dotted] = key_node.start_mark.line + 1
            spec = schema[key]
            if isinstance(spec, dict):
                values[key] = self.mapping(value_node, spec, dotted)
            else:
                checked = _CHECKS[spec](self, value_node, dotted)
                if checked is not None:
                    values[key] = checked
        return values

    # -- kinds of values -------------------------------------------------------------------------------------

    def text(self, node: Node, dotted: str) -> str | None:
        if isinstance(node, ScalarNode) and node.value != "":
            return str(node.value)  # as written: `tag: 0.10` stays "0.10", not the number 0.1
        self.problem(node, f"'{dotted}' must be a text value, not {_shape(node)}")
        return None

    def integer(self, node: Node, dotted: str) -> int | None:
        if isinstance(node, ScalarNode) and node.tag.endswith(":int"):
            return int(node.value)
        self.problem(node, f"'{dotted}' must be a whole number, not {_shape(node)}")
        return None

    def words(self, node: Node, dotted: str) -> list[str] | None:
        if isinstance(node, ScalarNode):
            try:
                return shlex.split(node.value)
            except ValueError as exc:
                self.problem(node, f"'{dotted}': {exc}")
                return None
        if isinstance(node, SequenceNode) and all(isinstance(item, ScalarNode) for item in node.value):
            return [str(item.value) for item in node.value]
        self.problem(node, f"'{dotted}' must be a command line or a list of words, not {_shape(node)}")
        return None

    def pairs(self, node: Node, dotted: str) -> dict[str, str] | None:
        if isinstance(node, MappingNode) and all(
            isinstance(k, ScalarNode) and isinstance(v, ScalarNode) for k, v in node.value
        ):
            return {str(k.value): str(v.value) for k, v in node.value}
        self.problem(node, f"'{dotted}' must be a mapping of names to text values, not {_shape(node)}")
        return None

    def tolerations(self, node: Node, dotted: str) -> list[dict[str, str]] | None:
        items = node.value if isinstance(node, SequenceNode) else None
        if items is None or not all(isinstance(item, MappingNode) for item in items):
            self.problem(node, f"'{dotted}' must be a list of tolerations ({{key, operator, value, effect}})")
            return None
        schema = dict.fromkeys(("key", "operator", "value", "effect"), "text")
        return [self.mapping(item, schema, dotted) for item in items]

    def forwards(self, node: Node, dotted: str) -> tuple[Preset, ...] | None:
        """`[{name, port, local}, ...]`: each bad entry named with its own line."""
        if not isinstance(node, SequenceNode):
            self.problem(node, f"'{dotted}' must be a list of {{name, port}}, not {_shape(node)}")
            return None
        presets: list[Preset] = []
        for index, item in enumerate(node.value, 1):
            try:
                found = preset_from(SafeConstructor().construct_document(item))
            except ConstructorError as exc:
                found = str(exc.problem)
            if isinstance(found, Preset) and (repeated := twice(found, presets)):
                found = repeated
            if isinstance(found, str):
                self.problem(item, f"'{dotted}[{index}]': {found}")
            else:
                presets.append(found)
        return tuple(presets)


_CHECKS: dict[str, Callable[[_Reader, Node, str], Any]] = {
    "text": _Reader.text,
    "integer": _Reader.integer,
    "words": _Reader.words,
    "mapping": _Reader.pairs,
    "tolerations": _Reader.tolerations,
    "forwards": _Reader.forwards,
}


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{node.value}'" if node.value != "" else "nothing"


def load_project(path: Path) -> Project:
    """The project at `path`; ProjectError lists every problem (file, line, key)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ProjectError([f"cannot read {path}: {exc.strerror}"]) from exc
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProjectError([f"{path.name}{where}: invalid YAML: {exc.problem}"]) from exc
    except yaml.YAMLError as exc:
        raise ProjectError([f"{path.name}: invalid YAML: {exc}"]) from exc
    if root is None:
        raise ProjectError([f"{path.name}: the file is empty (it needs at least image and registry)"])
    reader = _Reader(path)
    values = reader.mapping(root, SCHEMA, "")
    for key in REQUIRED:
        if key not in reader.lines:
            reader.problems.append(f"{path.name}: '{key}' is needed")
    pod = values.get("pod") or {}
    if pod.get("file") and pod.get("template"):
        line = reader.lines["pod.file"]
        reader.problems.append(f"{path.name} line {line}: 'pod' takes a file or a template, not both")
    template = _template_values(pod.get("template"), values)
    if template and not reader.problems:  # the pod's own checks, once the file's shape is right
        try:
            template_from_form(template)
        except TemplateError as exc:
            key = next((k for k, v in _FORM_NAMES.items() if v == exc.field), exc.field)
            at = reader.lines.get(f"pod.template.{key}") or reader.lines.get("pod.template")
            reader.problems.append(f"{path.name} line {at}: pod.template.{exc}")
    if reader.problems:
        raise ProjectError(reader.problems)
    build = values.get("build") or {}
    paths = values.get("paths") or {}
    return Project(
        path=path,
        image=values["image"],
        registry=values["registry"],
        tag=values.get("tag", ""),
        context=build.get("context", "."),
        dockerfile=build.get("dockerfile", "Dockerfile"),
        build_args=build.get("args") or {},
        namespace=values.get("namespace", ""),
        pod_file=pod.get("file", ""),
        template=template,
        code_path=paths.get("code", ""),
        forwards=values.get("forwards", ()),
        **{k: v for k, v in (("data_path", paths.get("data")), ("results_path", paths.get("results"))) if v},
    )


def _template_values(template: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, str]:
    """The project's template as the template form's text fields (so both are checked the same way); the image is
    the project's own repository (the loop puts the pushed tag in)."""
    if not template:
        return {}
    image = str(values.get("image", ""))
    form: dict[str, str] = {"image": f"{values.get('registry', '')}/{image}", "name": image.rsplit("/", 1)[-1]}
    for key, value in template.items():
        name = _FORM_NAMES.get(key, key)
        if key in ("command", "args"):
            form[name] = shlex.join(value)
        elif key == "env":
            form[name] = " ".join(shlex.quote(f"{k}={v}") for k, v in value.items())
        elif key == "nodeSelector":
            form[name] = ",".join(f"{k}={v}" for k, v in value.items())
        elif key == "tolerations":
            form[name] = ",".join(_toleration_text(t) for t in value)
        else:
            form[name] = str(value)
    return form


def _toleration_text(toleration: dict[str, str]) -> str:
    value = f"={toleration['value']}" if toleration.get("value") else ""
    effect = f":{toleration['effect']}" if toleration.get("effect") else ""
    return toleration.get("key", "") + value + effect
