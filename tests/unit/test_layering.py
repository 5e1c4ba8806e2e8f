"""Services and models are UI-free: importing all of them must not pull in textual."""

import pkgutil
import subprocess
import sys

import tui.models
import tui.services


def _modules(package: object) -> list[str]:
    return [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]  # type: ignore[attr-defined]


def test_services_and_models_import_without_textual() -> None:
    modules = _modules(tui.services) + _modules(tui.models)
    assert "tui.services.kube.kube" in modules and "tui.models.health" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui.widgets', "
        "'tui.screens', 'tui.app')))\n"
        "print(','.join(leaked))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"UI modules imported by services/models: {done.stdout}"
