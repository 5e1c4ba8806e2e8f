"""A test's own state folder ($XDG_STATE_HOME: the last pushed image, remembered manifests, shell choices), never
this machine's. Both fixtures are autouse: importing one into a test module applies it to every test there."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The last pushed reference and the remembered manifests in a temporary state folder; the app's cwd there."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    work = tmp_path / "experiment"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Shell choices are saved in $XDG_STATE_HOME: each test has its own, never this machine's."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state
