"""ctrl+w on the Deploy screen: the editor's text written back to the file it came from (asking first when that file
changed on disk since, or is gone), or to a path asked for (asking before replacing a file there); and, after the
loop pushed a new image, the offer to write it into the pod YAML the loop applied (only its image values change)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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


def offer_new_image(screen: DeployScreen, pod_file: Path, pushed: str) -> None:
    """After a push: ask to write the pushed tag (without its digest: the file keeps a readable version) into
    `pod_file`; only the image values change, the rest of the file stays as written."""
    try:
        ref = ImageRef.parse(pushed)
        text = pod_file.read_text()
    except (ValueError, OSError, UnicodeDecodeError):
        return
    image = str(ImageRef(ref.registry, ref.repository, ref.tag))
    changed = replace_image_in_text(text, image)
    if changed is None:
        screen.notify(
            f"{pod_file}: the image could not be changed in place; put {image} in by hand",
            title="Image",
            severity="warning",
            timeout=10,
        )
        return
    if changed == text:
        return
    question = f"The loop pushed {image}.\nWrite it into {pod_file}? Only its image line changes."

    def confirmed(yes: bool | None) -> None:
        if not yes:
            return
        try:
            if pod_file.read_text() != text:
                screen.say(f"{pod_file} changed meanwhile: not written; put {image} in by hand", ok=False)
                return
            write_text(pod_file, changed)
        except (OSError, UnicodeDecodeError) as exc:
            screen.say(f"cannot write {pod_file}: {getattr(exc, 'strerror', None) or exc}", ok=False)
            return
        screen.notify(f"{pod_file} now says {image}", title="Image")

    screen.app.push_screen(ConfirmScreen(question, "Write"), confirmed)
