"""Where a shell chosen with S on the Terminal screen is kept: per workload (so the pod that replaces a pod gets
it), per image, and in a file that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.models.terminal.shells import ShellPreferences, parse_command, workload_key
from tui.services.terminal.shell_choices import ShellChoices


@pytest.mark.parametrize(
    ("name", "labels", "key"),
    [
        ("train-7d4b9c8f5-x2k8q", {"app": "train", "pod-template-hash": "7d4b9c8f5"}, "ns/train"),
        ("web-1", {"app.kubernetes.io/name": "web", "app": "other"}, "ns/web"),
        ("api-7d4b9c8f5-x2k8q", {"pod-template-hash": "7d4b9c8f5"}, "ns/api"),  # a Deployment without labels
        ("db-2", {"controller-revision-hash": "db-5d8f", "statefulset.kubernetes.io/pod-name": "db-2"}, "ns/db"),
        ("prep-x2k8q", {"controller-uid": "1234", "batch.kubernetes.io/controller-uid": "1234"}, "ns/prep"),
        ("exp", {}, "ns/exp"),  # a bare pod: its own name
        ("exp-12345", {}, "ns/exp-12345"),  # no controller's labels: nothing is cut off
    ],
)
def test_the_choice_is_kept_under_the_pods_workload(name: str, labels: dict[str, str], key: str) -> None:
    assert workload_key("ns", name, labels) == key


def test_a_choice_for_the_workload_wins_over_one_for_the_image() -> None:
    preferences = ShellPreferences()
    preferences.remember(None, "python:3.11", ("bash", "-l"))
    preferences.remember("ns/train", "busybox", ("sh",))
    assert preferences.command_for("ns/train", "python:3.11") == ("sh",)
    assert preferences.command_for("ns/other", "python:3.11") == ("bash", "-l")
    assert preferences.command_for(None, "busybox") == ("sh",)
    assert preferences.command_for("ns/other", "alpine") is None


def test_choices_survive_a_restart_and_a_broken_file_means_none(tmp_path: Path) -> None:
    store = ShellChoices(tmp_path / "state" / "shells.json")
    assert store.load() == ShellPreferences()  # nothing saved yet
    preferences = ShellPreferences()
    preferences.remember("ns/train", "busybox", parse_command("setsid -w -c 'bash -l'"))
    store.save(preferences)
    assert ShellChoices(store.path).load() == preferences
    assert store.load().command_for("ns/train", "") == ("setsid", "-w", "-c", "bash -l")

    store.path.write_text('{"pods": {"ns/a": ["sh"], "ns/b": "not a list", "ns/c": []}, "images": 7}')
    assert store.load() == ShellPreferences({"ns/a": ("sh",)}, {})
    store.path.write_text("{not json")
    assert store.load() == ShellPreferences()


def test_a_command_that_cannot_be_read_says_why() -> None:
    with pytest.raises(ValueError, match="no command given"):
        parse_command("  ")
    with pytest.raises(ValueError, match="cannot read"):
        parse_command("bash -c 'unclosed")
