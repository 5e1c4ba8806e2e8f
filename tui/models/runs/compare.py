"""Two runs side by side, free of UI: each fact as a row (A's value, B's value), the manifests' unified diff, and
the two uncommitted code diffs' difference in words. The Runs screen's `d` draws it."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from tui.models.runs.listing import run_status, span_text
from tui.models.runs.rerun import container_digests, pod_spec_of
from tui.models.runs.run import CodeState, ContainerEnd, Run
from tui.models.units import counted

MISSING = "(none)"
_GIT_HEADER = re.compile(r"diff --git a/(.*) b/(.*)")
_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


@dataclass(frozen=True)
class Row:
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()  # in words: "the manifests are the same", what the code diffs change
    diff: tuple[str, ...] = ()  # unified diff lines: their first character says added, removed or a hunk

    @property
    def differs(self) -> bool:
        return any(row.differs for row in self.rows) or bool(self.diff)


@dataclass(frozen=True)
class Comparison:
    left: Run  # A: the older of the two
    right: Run  # B
    sections: tuple[Section, ...]


def compare_runs(first: Run, second: Run, now: float) -> Comparison:
    """A is the run applied first. `now`: a running run's duration counts to it."""
    left, right = sorted((first, second), key=lambda run: (run.created, run.id))
    sections = (
        Section("Run", _pairs(left, right, lambda run: _overview(run, now))),
        Section("Images", _pairs(left, right, _images)),
        Section("Code", _pairs(left, right, _code), tuple(code_diff_summary(left.code, right.code))),
        _params(left, right),
        Section("Requests", _pairs(left, right, lambda run: {k: run.requests.get(k, MISSING) for k in _REQUESTS})),
        Section("Containers", _pairs(left, right, _ends)),
        _manifests(left, right),
    )
    return Comparison(left, right, sections)


# ---------------------------------------------------------------- rows


_REQUESTS = ("cpu", "memory", "gpu")


def _pairs(left: Run, right: Run, facts: Any) -> tuple[Row, ...]:
    """A row for each label either run has (A's order first), MISSING on the side without it."""
    a: dict[str, str] = facts(left)
    b: dict[str, str] = facts(right)
    return tuple(Row(label, a.get(label, MISSING), b.get(label, MISSING)) for label in {**a, **b})


def duration_text(run: Run, now: float) -> str:
    """From the apply to the end, as the list says it; `so far` while it runs."""
    if run.ended is not None:
        return span_text(run.ended - run.created)
    return f"{span_text(now - run.created)} so far" if not run.is_over else MISSING


def _overview(run: Run, now: float) -> dict[str, str]:
    return {
        "id": run.id,
        "name": run.name,
        "kind": run.kind,
        "namespace": run.namespace,
        "context": run.context,
        "node": run.node or MISSING,
        "status": run_status(run),
        "duration": duration_text(run, now),
    }


def _images(run: Run) -> dict[str, str]:
    """Each container's image as applied and the digest it ran as."""
    images = container_images(run)
    if not images:  # a manifest that cannot be read: the images as recorded
        listed = {f"image {n}": image for n, image in enumerate(run.images, 1)}
        return listed | {f"digest {n}": digest for n, digest in enumerate(run.digests, 1)}
    digests = container_digests(run)
    facts: dict[str, str] = {}
    for name, image in images.items():
        facts[f"{name} image"] = image
        facts[f"{name} digest"] = digests.get(name, MISSING)
    return facts


def container_images(run: Run) -> dict[str, str]:
    """container name -> image, as in the recorded manifest (init containers first)."""
    spec = pod_spec_of(_loaded(run.manifest))
    images: dict[str, str] = {}
    for key in ("initContainers", "containers"):
        listed = spec.get(key)
        for container in listed if isinstance(listed, list) else []:
            if isinstance(container, Mapping) and container.get("image"):
                images[str(container.get("name", ""))] = str(container["image"])
    return images


def _code(run: Run) -> dict[str, str]:
    code = run.code
    if code is None:
        return {"code": "not recorded"}
    if not code.commit:
        return {"folder": code.folder, "content sha256": code.content_hash or MISSING}
    return {
        "folder": code.folder,
        "commit": code.commit,
        "branch": code.branch or "(detached)",
        "dirty": "yes" if code.dirty else "no",
        "untracked": counted(len(code.untracked), "file"),
    }


def _ends(run: Run) -> dict[str, str]:
    return {end.name: end_text(end) for end in run.containers}


def end_text(end: ContainerEnd) -> str:
    parts = [end.state]
    if end.exit_code is not None:
        parts.append(f"exit {end.exit_code}")
    if end.reason:
        parts.append(end.reason)
    if end.restarts:
        parts.append(counted(end.restarts, "restart"))
    return ", ".join(parts)


# ---------------------------------------------------------------- params


def flat_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """`containers.main.env.LR` -> `0.01`: nested mappings as dotted paths, anything else as JSON (strings as
    they are)."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat |= flat_params(value, path + ".")
        else:
            flat[path] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return flat


def _params(left: Run, right: Run) -> Section:
    rows = _pairs(left, right, lambda run: flat_params(run.params))
    differing = sum(row.differs for row in rows)
    if not rows:
        note = "neither has params"
    elif not differing:
        note = f"the same {counted(len(rows), 'param')}"
    else:
        note = f"{differing} of {counted(len(rows), 'param')} differ"
    return Section("Params", rows, (note,))


# ---------------------------------------------------------------- manifests


def _manifests(left: Run, right: Run) -> Section:
    """The unified diff of the manifests as YAML with sorted keys, so a field written in another order is no change
    (as recorded when one cannot be read)."""
    a, b = _normal_yaml(left.manifest), _normal_yaml(right.manifest)
    diff = tuple(
        difflib.unified_diff(a.splitlines(), b.splitlines(), f"A {left.id}", f"B {right.id}", lineterm="", n=3)
    )
    return Section("Manifest", notes=() if diff else ("the manifests are the same",), diff=diff)


def _normal_yaml(text: str) -> str:
    loaded = _loaded(text)
    return yaml.safe_dump(dict(loaded), sort_keys=True, allow_unicode=True) if loaded else text


def _loaded(text: str) -> Mapping[str, Any]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, Mapping) else {}


# ---------------------------------------------------------------- the code diffs


@dataclass(frozen=True)
class FileChange:
    hunks: tuple[str, ...]  # the lines from its first `@@` on: what it changes
    added: int
    removed: int


def diff_files(diff: str) -> dict[str, FileChange]:
    """The files a `git diff` changes, each with its hunks (a header's `index` line differs with the content)."""
    chunks: list[list[str]] = []
    old_left = new_left = 0  # lines still to come in the current hunk: none of them is a header (`-- x` removed)
    for line in diff.splitlines():
        if old_left > 0 or new_left > 0:
            if line.startswith("-"):
                old_left -= 1
            elif line.startswith("+"):
                new_left -= 1
            elif not line.startswith("\\"):  # (`\ No newline at end of file` is neither side's)
                old_left, new_left = old_left - 1, new_left - 1
            chunks[-1].append(line)
            continue
        new_file = line.startswith("diff --git ") or (
            line.startswith("--- ") and (not chunks or any(seen.startswith("@@") for seen in chunks[-1]))
        )
        if new_file or not chunks:
            chunks.append([])
        chunks[-1].append(line)
        if hunk := _HUNK.match(line):
            old_left, new_left = int(hunk.group(1) or 1), int(hunk.group(2) or 1)
    files: dict[str, FileChange] = {}
    for chunk in chunks:
        start = next((at for at, line in enumerate(chunk) if line.startswith("@@")), len(chunk))
        hunks = tuple(chunk[start:])
        added = sum(1 for line in hunks if line.startswith("+"))
        removed = sum(1 for line in hunks if line.startswith("-"))
        files[_path(chunk[:start])] = FileChange(hunks, added, removed)
    return files


def _path(header: list[str]) -> str:
    new = next((line[4:] for line in header if line.startswith("+++ ")), "")
    old = next((line[4:] for line in header if line.startswith("--- ")), "")
    for name in (new, old):
        if name and name != "/dev/null":
            return name[2:] if name.startswith(("a/", "b/")) else name
    matched = _GIT_HEADER.fullmatch(header[0]) if header else None
    return matched.group(2) if matched else "?"


def code_diff_summary(left: CodeState | None, right: CodeState | None) -> list[str]:
    """How the two runs' uncommitted changes differ, file by file, in words."""
    a, b = diff_files(left.diff if left else ""), diff_files(right.diff if right else "")
    lines: list[str] = []
    if not a and not b:
        lines.append("uncommitted changes: none in either")
    elif a == b:
        lines.append(f"uncommitted changes: the same in both ({_changes(a)})")
    else:
        lines += [f"uncommitted changes of A: {_changes(a)}", f"uncommitted changes of B: {_changes(b)}"]
        lines += _listed("changed in A only", [f for f in a if f not in b])
        lines += _listed("changed in B only", [f for f in b if f not in a])
        lines += _listed("changed in both, differently", [f for f in a if f in b and a[f] != b[f]])
        lines += _listed("changed in both alike", [f for f in a if f in b and a[f] == b[f]])
    untracked_a = set(left.untracked) if left else set()
    untracked_b = set(right.untracked) if right else set()
    lines += _listed("untracked in A only", sorted(untracked_a - untracked_b))
    lines += _listed("untracked in B only", sorted(untracked_b - untracked_a))
    for side, code in (("A", left), ("B", right)):
        if code is not None and code.note:
            lines.append(f"{side}: {code.note}")
    return lines


def _changes(files: Mapping[str, FileChange]) -> str:
    if not files:
        return "none"
    added = sum(change.added for change in files.values())
    removed = sum(change.removed for change in files.values())
    return f"{counted(len(files), 'file')}, +{added} -{removed}"


def _listed(what: str, names: list[str]) -> list[str]:
    return [f"{what}: {', '.join(names)}"] if names else []
