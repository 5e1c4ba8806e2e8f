"""ctrl+w on the Deploy screen: the editor's text written back to the file it came from (asking first when that file
changed on disk since, or is gone), or to a path asked for (asking before replacing a file there); and, after the
loop deployed a new tag, the offer (W) to write it into the pod YAML the loop applied (only its image values change)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.markup import escape

from tui.models.deploy.image_text import replace_image_in_text
from tui.models.images.image import ImageRef
from tui.screens.common.dialogs import ConfirmScreen
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.services.deploy.yaml_file import write_text

if TYPE_CHECKING:
    from tui.screens.deploy.deploy import DeployScreen


class SaveFlow:
    def __init__(self, screen: DeployScreen) -> None:
        self.screen = screen

    def save(self) -> None:
        screen = self.screen
        file = screen.file
        if file is None:
            self._ask_path()
        elif file.changed_on_disk():
            state = "is gone" if not file.path.exists() else "changed on disk since it was opened"
            self._confirm(file.path, f"{file.path} {state}.\nWrite the editor's text to it anyway?")
        else:
            self._write(file.path)

    def _ask_path(self) -> None:
        screen = self.screen
        fields = [Field("path", "Save the editor's YAML as", screen.yaml_path, "pod.yml", required=True)]

        def chosen(values: FormValues | None) -> None:
            if not values:
                return
            path = Path(str(values["path"])).expanduser()
            if path.is_dir():
                screen.say(f"{path} is a folder: give a file name", ok=False)
            elif path.exists():
                self._confirm(path, f"{path} exists.\nReplace it with the editor's text?")
            else:
                self._write(path)

        screen.app.push_screen(FormScreen("Save the YAML", fields, "Save"), chosen)

    def _confirm(self, path: Path, question: str) -> None:
        self.screen.app.push_screen(
            ConfirmScreen(question, "Overwrite"), lambda yes: self._write(path) if yes else None
        )

    def _write(self, path: Path) -> None:
        screen = self.screen
        try:
            screen.file = write_text(path, screen.editor.text)
        except OSError as exc:
            screen.say(f"cannot write {path}: {exc.strerror}", ok=False)
            return
        screen.mark_saved()
        screen.source = str(path)
        if screen.editor_holds_project:
            if screen.reload_project(path):  # else its problems are said, with their lines
                screen.say(f"saved and read {path}: g runs the loop with it", ok=True)
            return
        screen.yaml_path = str(path)
        screen.update_info()
        screen.say(f"saved {path}", ok=True)


CANNOT_CHANGE = "the image could not be changed in place; put {image} in by hand"


@dataclass(frozen=True)
class ImageOffer:
    """The tag the loop deployed (without its digest: the file keeps a readable version), offered for the pod YAML
    the loop applied until W takes it or the next loop starts. A line on the Deploy screen, not a dialog: the loop
    goes on to the shell meanwhile, and a question left open would hold the keys of whoever comes back."""

    pod_file: Path
    image: str

    @classmethod
    def after_push(cls, screen: DeployScreen, pod_file: Path, pushed: ImageRef) -> ImageOffer | None:
        """None when the file says it already or cannot be read; one whose image cannot be changed in place is said."""
        image = str(ImageRef(pushed.registry, pushed.repository, pushed.tag))
        try:
            text = pod_file.read_text()
        except (OSError, UnicodeDecodeError):
            return None
        changed = replace_image_in_text(text, image)
        if changed is None:
            said = f"{pod_file}: {CANNOT_CHANGE.format(image=image)}"
            screen.notify(said, title="Image", severity="warning", timeout=10, markup=False)
            return None
        if changed == text:
            return None
        screen.notify(f"W on the Deploy screen (6) writes {image} into {pod_file.name}", title="Image", markup=False)
        return cls(pod_file, image)

    def line(self) -> str:
        """For the Deploy screen's panel (markup)."""
        return (
            f"[b $accent]W[/] writes {escape(self.image)} into {escape(str(self.pod_file))} "
            "(only its image line changes)"
        )

    def write(self, screen: DeployScreen) -> bool:
        """Into the file as it is now (an edit made to it since stays: only the image values change); False: it could
        not be written, the offer stays."""
        path, image = self.pod_file, self.image
        try:
            text = path.read_text()
            changed = replace_image_in_text(text, image)
            if changed is None:
                screen.say(f"{path}: {CANNOT_CHANGE.format(image=image)}", ok=False)
                return True
            if changed != text:
                write_text(path, changed)
        except (OSError, UnicodeDecodeError) as exc:
            screen.say(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}", ok=False)
            return False
        screen.say(f"{path} now says {image}", ok=True)
        return True
