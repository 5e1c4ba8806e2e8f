"""The pod a project file names (its pod YAML, or its template's pod), for the loop when the editor holds the
project file itself."""

from __future__ import annotations

from tui.models.deploy.pod_template import Manifest, ManifestError, TemplateError, parse_manifests, template_from_form
from tui.models.project.project_file import PROJECT_FILE, Project


def project_manifests(project: Project) -> list[Manifest]:
    """ManifestError in words when there is no pod, or it cannot be read."""
    if project.pod_file:
        path = project.resolve(project.pod_file)
        try:
            return parse_manifests(path.read_text())
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else exc
            raise ManifestError(f"cannot read the project's pod file {path}: {why}") from exc
    if project.template:
        try:
            return template_from_form(project.template).manifests()
        except TemplateError as exc:
            raise ManifestError(f"{PROJECT_FILE} pod.template: {exc}") from exc
    raise ManifestError(f"{PROJECT_FILE} names no pod: add pod.file or pod.template")
