"""What `k8sx-tui` imports before its first frame, checked by structure (which modules), never by timing.

`python -X importtime` lists every module an import loads, each after the ones it pulled in; a fresh interpreter
imports what tui/cli.py's main imports before `App.run()`. A heavy module on that path costs every start (the
docker SDK, the kubernetes client, YAML, the terminal emulator...): it belongs where it is used, on the worker that
first needs it. bench/startup.py measures what it costs.

The modes' screens are imported when first shown (tui/app.py); STILL_AT_START lists the heavy modules the first
screen still brings in, and through what. When a change takes one off the start path, the stale-entry test says so:
delete its line, and the list only ever shrinks.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

VERSION_PATH = "import tui.cli"  # `k8sx-tui --version` and `--help`: tui/cli.py imports the app only after parsing
START_PATH = "import tui.cli, tui.app"  # everything imported before App.run() (tui/cli.py: main)

HEAVY = {
    "docker": "the docker SDK: the engine probe imports it on a worker thread",
    "requests": "HTTP for the docker SDK",
    "kubernetes": "the kubernetes client (its config, dynamic and stream packages): the first API call imports it",
    "kubernetes.client.api.core_v1_api": "CoreV1Api: some 250 pydantic models, a quarter of a second",
    "pydantic": "the kubernetes client's models",
    "yaml": "PyYAML: kubeconfig and manifests are read on worker threads",
    "pyte": "the terminal emulator's base",
    "tui.models.terminal.emulator": "the terminal emulator",
    "ptyprocess": "local terminals",
    "websocket": "exec streams",
    "simdjson": "the pod list's decoder: the watch thread imports it",
    "tarfile": "copies in and out",
}

# Still imported at start, and by what (see the module docstring).
STILL_AT_START = {
    "yaml": "tui.themes (the bundled themes are YAML, read as the app starts)",
}

_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)")


def imported(code: str) -> dict[str, list[str]]:
    """Every module `code` imports in a fresh interpreter, with the chain that imported it (innermost first)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    entries = [(len(m.group(1)), m.group(2)) for m in map(_LINE.match, done.stderr.splitlines()) if m]
    chains: dict[str, list[str]] = {}
    for index, (depth, name) in enumerate(entries):
        # A module is listed after everything it imported: its importer is the next entry less deeply indented.
        chain, level = [name], depth
        for outer_depth, outer in entries[index + 1 :]:
            if outer_depth < level:
                chain.append(outer)
                level = outer_depth
        chains[name] = chain
    return chains


def heavy_in(chains: dict[str, list[str]], allowed: dict[str, str]) -> list[str]:
    return [
        f"{name} ({HEAVY[name]}), imported by {' <- '.join(chains[name])}"
        for name in HEAVY
        if name in chains and name not in allowed
    ]


@pytest.fixture(scope="module")
def start() -> dict[str, list[str]]:
    return imported(START_PATH)


def test_the_version_path_imports_nothing_heavy() -> None:
    found = heavy_in(imported(VERSION_PATH), {})
    assert not found, "`k8sx-tui --version` imports:\n" + "\n".join(found)


def test_the_start_path_imports_no_heavy_module_beyond_the_known_ones(start: dict[str, list[str]]) -> None:
    found = heavy_in(start, STILL_AT_START)
    assert not found, "imported before the first frame:\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(STILL_AT_START))
def test_every_known_heavy_module_is_still_imported_at_start(start: dict[str, list[str]], name: str) -> None:
    assert name in start, f"{name} is no longer imported at start: delete it from STILL_AT_START"


def test_every_known_module_is_one_of_the_heavy_ones() -> None:
    assert set(STILL_AT_START) <= set(HEAVY)


def test_a_fresh_app_knows_the_binding_ids_of_every_mode_before_showing_it() -> None:
    """The key map is checked at start, before the other modes' screens were imported: app_node_classes imports them."""
    code = (
        "import json; from tui.app import app_node_classes; from tui.keymap import bindings_with_ids; "
        "print(json.dumps([i.split('.')[0] for i in bindings_with_ids(app_node_classes())]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    scopes = set(json.loads(done.stdout))
    assert {"pods", "logs", "terminal", "images", "push", "deploy", "doctor", "forwards"} <= scopes
