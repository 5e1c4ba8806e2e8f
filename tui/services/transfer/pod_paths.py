"""Where `r` (pull results), `u` (copy in) and `U` (code sync) look in the pod first: the `paths:` of the project file
`k8sx.yaml` in the working directory (found as the Deploy screen finds it), else the settings; for code, else where
the project's Dockerfile puts it (models/project/dockerfile.py), else /persistent/code. A broken project file is
named with its problems and the settings apply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from tui.models.project.dockerfile import code_path
from tui.models.project.project_file import Project, ProjectError
from tui.services.project.project_file import find_project, load_project

SETTINGS = "the settings"
DEFAULT_CODE_PATH = "/persistent/code"


@dataclass(frozen=True)
class PodPaths:
    results: str
    data: str
    results_from: str  # "k8sx.yaml" (of the working directory) or "the settings"
    data_from: str
    problem: str = ""  # why the project file was not used (empty: it was, or there is none)
    code: str = DEFAULT_CODE_PATH  # where the image keeps the code
    code_from: str = "the default"  # "k8sx.yaml paths.code", "Dockerfile WORKDIR /app", or why neither said
    context: Path = Path()  # the local folder the image's code comes from: the build context


def pod_paths(folder: Path, results: str, data: str) -> PodPaths:
    """The project's paths where it writes them, else `results` / `data` (the settings)."""
    found = find_project(folder)
    if found is None:
        return _with_code(PodPaths(results, data, SETTINGS, SETTINGS, context=folder), folder / "Dockerfile")
    try:
        project = load_project(found)
    except ProjectError as exc:
        problem = f"{found} is not used for the pod paths (the settings apply):\n" + "\n".join(exc.problems)
        return _with_code(PodPaths(results, data, SETTINGS, SETTINGS, problem, context=folder), folder / "Dockerfile")
    written = _written_paths(found)  # the project fills unwritten ones with its defaults: those must not win
    name = found.name
    paths = PodPaths(
        project.results_path if "results" in written else results,
        project.data_path if "data" in written else data,
        name if "results" in written else SETTINGS,
        name if "data" in written else SETTINGS,
        context=project.resolve(project.context),
    )
    if written.get("code"):
        return replace(paths, code=written["code"], code_from=f"{name} paths.code")
    return _with_code(paths, _dockerfile(project))


def _dockerfile(project: Project) -> Path:
    """As the build finds it: relative to the build context."""
    dockerfile = Path(project.dockerfile).expanduser()
    return dockerfile if dockerfile.is_absolute() else project.resolve(project.context) / dockerfile


def _with_code(paths: PodPaths, dockerfile: Path) -> PodPaths:
    """The code path the Dockerfile gives, else the default and why."""
    try:
        text = dockerfile.read_text(errors="replace")
    except OSError:
        return replace(paths, code_from=f"the default: no Dockerfile at {dockerfile}")
    found = code_path(text)
    if not found.path:
        return replace(paths, code_from=f"the default: {found.problem}")
    return replace(paths, code=found.path, code_from=f"{dockerfile.name} {found.said}")


def _written_paths(path: Path) -> dict[str, str]:
    """The `paths.*` the (already checked) file sets itself, as written."""
    try:
        loaded: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    paths = loaded.get("paths") if isinstance(loaded, dict) else None
    if not isinstance(paths, dict):
        return {}
    return {str(key): str(value) for key, value in paths.items() if value}
