"""Writing a starter k8sx.yaml: the facts gathered (the last build's place, else a Dockerfile in the folder; paths
made relative to the file's folder where they can be), the text written, never over an existing file; with it a
.dockerignore for data and results when the build context is the file's folder and has none."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tui.models.project.sandbox import is_sandbox
from tui.models.project.starter import DOCKERIGNORE, DOCKERIGNORE_TEXT, StarterFacts, starter_text
from tui.services.kube.kube import KubeService, KubeUnavailable
from tui.services.project.last_build import BuildPlace


def starter_facts(
    path: Path,
    last_pushed: str | None,
    last_build: BuildPlace | None,
    pod_file: Path | None,
    template: Mapping[str, str],
    namespace: str,
    sandbox: bool = False,
) -> StarterFacts:
    """For a k8sx.yaml at `path`: `pod_file` when the editor's pod came from one, else the template's fields;
    `sandbox`: the cluster is the app's local sandbox stack."""
    folder = path.parent
    context, dockerfile = "", ""
    if last_build is not None:
        context = _relative(last_build.context, folder)
        dockerfile = _relative(last_build.context / last_build.dockerfile, folder)
    elif not (folder / "Dockerfile").is_file():
        found = sorted(folder.glob("*/Dockerfile"))  # the usual `image/Dockerfile` of a project folder
        if found:
            context, dockerfile = _relative(found[0].parent, folder), _relative(found[0], folder)
    return StarterFacts(
        folder_name=folder.resolve().name,
        last_pushed=last_pushed or "",
        context=context,
        dockerfile=dockerfile,
        pod_file=_relative(pod_file, folder) if pod_file is not None else "",
        template=template,
        namespace=namespace,
        sandbox=sandbox,
    )


def on_sandbox(kube: KubeService) -> bool:
    """The context used (else the kubeconfig's current one) is the app's local sandbox stack's."""
    context = kube.context
    if context is None:
        try:
            context = kube.kubeconfig().current
        except KubeUnavailable:
            return False
    return is_sandbox(context)


def write_starter(path: Path, facts: StarterFacts) -> str:
    """The text written; FileExistsError when there is a file already (it is not the app's to replace)."""
    text = starter_text(facts)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x") as out:
        out.write(text)
    return text


def write_dockerignore(folder: Path) -> Path | None:
    """A .dockerignore keeping data/ and results/ out of the builds of `folder`; None when it has one already (the
    user's: left as it is). OSError when it cannot be written."""
    path = folder / DOCKERIGNORE
    try:
        with path.open("x") as out:
            out.write(DOCKERIGNORE_TEXT)
    except FileExistsError:
        return None
    return path


def _relative(target: Path, folder: Path) -> str:
    target, folder = target.expanduser().absolute(), folder.absolute()
    if target == folder:
        return "."
    if target.is_relative_to(folder):
        return str(target.relative_to(folder))
    return os.fspath(target)
