"""Reading kubeconfig files before the kubernetes client does: whatever is wrong with one is said in words, naming
the file (the client's own errors are a YAML parser's or a TypeError deep inside it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

Json = dict[str, Any]
SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


class KubeconfigError(Exception):
    """A kubeconfig that cannot be used; the message names the file and says why."""


@dataclass(frozen=True)
class Entry:
    """A named cluster, user or context, and the file it came from."""

    path: str
    settings: Json


@dataclass
class Kubeconfig:
    """Several files merged as the kubernetes client merges them: the first entry of a name wins, the last
    current-context wins."""

    files: list[str] = field(default_factory=list)
    clusters: dict[str, Entry] = field(default_factory=dict)
    users: dict[str, Entry] = field(default_factory=dict)
    contexts: dict[str, Entry] = field(default_factory=dict)
    current: str | None = None

    def context_problem(self, name: str) -> str | None:
        """Why context `name` cannot be used (as kubectl checks it: its cluster and user must exist), or None."""
        context = self.contexts[name]
        where = f"kubeconfig {context.path}: context '{name}'"
        cluster = context.settings.get("cluster")
        if not cluster:
            return f"{where} names no cluster"
        if cluster not in self.clusters:
            return f"{where} names cluster '{cluster}', which is not defined"
        user = context.settings.get("user")
        if user and user not in self.users:
            return f"{where} names user '{user}', which is not defined"
        if not self.clusters[str(cluster)].settings.get("server"):
            return f"kubeconfig {self.clusters[str(cluster)].path}: cluster '{cluster}' has no server address"
        return None


def read_kubeconfig(paths: list[str]) -> Kubeconfig:
    """The files merged; KubeconfigError for the first one that is not a usable kubeconfig."""
    merged = Kubeconfig(files=list(paths))
    for path in paths:
        config = _read_file(path)
        for section, body in SECTIONS:
            entries: dict[str, Entry] = getattr(merged, section)
            for name, settings in _entries(path, config, section, body):
                entries.setdefault(name, Entry(path, settings))
        if "current-context" in config:
            merged.current = str(config["current-context"] or "") or None
    return merged


def _read_file(path: str) -> Json:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KubeconfigError(f"kubeconfig {path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KubeconfigError(f"kubeconfig {path}: not a text file") from exc
    import yaml  # read on a worker thread once the app is up: YAML is not needed for the first frame
    from yaml.reader import ReaderError

    try:
        config = yaml.safe_load(text)
    except ReaderError as exc:  # NUL and other control characters
        raise KubeconfigError(f"kubeconfig {path}: not a text file") from exc
    except yaml.YAMLError as exc:
        raise KubeconfigError(f"kubeconfig {path}: not valid YAML ({_yaml_problem(exc)})") from exc
    if config is None:
        raise KubeconfigError(f"kubeconfig {path}: empty")
    if not isinstance(config, dict):
        raise KubeconfigError(f"kubeconfig {path}: not a kubeconfig (a YAML {_kind(config)}, not a mapping)")
    return config


def _entries(path: str, config: Json, section: str, body: str) -> list[tuple[str, Json]]:
    """(name, settings) of each entry of a section; KubeconfigError for one the client would trip over."""
    items = config.get(section) or []
    if not isinstance(items, list):
        raise KubeconfigError(f"kubeconfig {path}: '{section}' is a {_kind(items)}, not a list")
    entries = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise KubeconfigError(f"kubeconfig {path}: an entry of '{section}' has no name")
        settings = item.get(body) or {}
        if not isinstance(settings, dict):
            raise KubeconfigError(f"kubeconfig {path}: {body} '{item['name']}' is a {_kind(settings)}, not a mapping")
        entries.append((item["name"], settings))
    return entries


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """`line 3, column 3: expected …`: the parser's own words without the file name it repeats."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else str(problem)


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean", dict: "mapping"}.get(
        type(value), type(value).__name__
    )
