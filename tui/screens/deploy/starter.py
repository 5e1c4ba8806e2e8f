"""A starter k8sx.yaml offered where the loop needs one and there is none (`g` without it, `P` on a missing path):
written from what the app knows after a confirm that shows what it will say (with a .dockerignore for data/ and
results/ where the build context is its folder and has none), then shown in the Deploy editor (e edits it, ctrl+w
saves) and read as the project, so the next `g` uses it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui.models.deploy.pod_template import ManifestError, parse_manifests, pods_of
from tui.models.project.starter import StarterFacts
from tui.screens.common.dialogs import ConfirmScreen
from tui.services.kube.kube import ALL_NAMESPACES
from tui.services.project.last_build import LastBuild
from tui.services.project.starter import on_sandbox, starter_facts, write_dockerignore, write_starter

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


class StarterFlow:
    def __init__(self, screen: DeployScreen, last_build: LastBuild | None = None) -> None:
        self.screen = screen
        self.last_build = last_build or LastBuild()

    def offer(self, path: Path, why: str) -> None:
        facts = self._facts(path)
        build = f"{facts.context or '.'}, {facts.dockerfile or 'Dockerfile'}"
        pod = f"file {facts.pod_file}" if facts.pod_file else f"the template ({facts.template.get('name') or 'exp'})"
        image = facts.last_pushed or "none pushed yet: a placeholder to change"
        namespace = facts.namespace or "the app's"
        node = "  node: the local sandbox stack's real node (type=real)\n" if facts.sandbox else ""
        question = (
            f"{why}\nWrite a starter {path} from what the app knows?\n"
            f"  image: {image}\n  build: {build}\n  pod: {pod}\n  namespace: {namespace}\n{node}"
            "Each key is explained in a comment; it opens in the editor."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(path, facts)

        self.screen.app.push_screen(ConfirmScreen(question, "Write"), confirmed)

    def _facts(self, path: Path) -> StarterFacts:
        screen = self.screen
        pod_file = None
        if screen.file is not None and not screen.editor_holds_project:
            try:
                if pods_of(parse_manifests(screen.editor.text)):
                    pod_file = screen.file.path
            except ManifestError:
                pass
        namespace = screen.kube.namespace if screen.kube.namespace != ALL_NAMESPACES else ""
        return starter_facts(
            path,
            screen.last_pushed.get(),
            self.last_build.get(),
            pod_file,
            screen.template_values,
            namespace,
            on_sandbox(screen.kube),
        )

    def _write(self, path: Path, facts: StarterFacts) -> None:
        screen = self.screen
        try:
            write_starter(path, facts)
        except FileExistsError:
            screen.say(f"{path} is there already (written meanwhile?): P opens it", ok=False)
            return
        except OSError as exc:
            screen.say(f"cannot write {path}: {exc.strerror}", ok=False)
            return
        ignored = self._dockerignore(path.parent, facts)
        screen.open_project_file(path)
        screen.action_leave_editor()  # the g said next is the app's key, not a letter typed into the YAML
        screen.say(
            f"wrote {path}{ignored}: each key is explained in it. Check image and registry (e edits it, ctrl+w "
            "saves), then g builds, pushes and runs it",
            ok=True,
        )

    @staticmethod
    def _dockerignore(folder: Path, facts: StarterFacts) -> str:
        """Where the build context is the starter's folder, a .dockerignore for data/ and results/ unless it has one;
        what to add to the message about it."""
        if facts.context not in ("", "."):
            return ""  # data/ and results/ of this folder are not in a context elsewhere
        try:
            written = write_dockerignore(folder)
        except OSError as exc:
            return f" (not {folder / '.dockerignore'}: {exc.strerror})"
        return " and .dockerignore (data/ and results/ stay out of the image's builds)" if written else ""
