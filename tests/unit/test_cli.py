"""The command line: the flags a kubectl and docker user expects."""

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tui.cli import options_from


def test_version_prints_the_installed_package_version() -> None:
    """What `--version` prints is the version pip installed (the package metadata), not a string the CLI holds."""
    installed = version("k8sx-tui")
    for command in ([sys.executable, "-m", "tui"], [str(Path(sys.executable).with_name("k8sx-tui"))]):
        done = subprocess.run([*command, "--version"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"k8sx-tui {installed}\n"


def test_help_lists_every_flag() -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for flag in ("--context", "--namespace", "-n", "--kubeconfig", "--docker-host", "--theme", "--version"):
        assert flag in done.stdout


def test_flags_become_launch_options() -> None:
    options = options_from(
        ["--context", "gke_p_r_c", "-n", "experiments", "--kubeconfig", "/k", "--docker-host", "tcp://d:2375"]
    )
    assert (options.context, options.namespace, options.kubeconfig, options.docker_host) == (
        "gke_p_r_c",
        "experiments",
        "/k",
        "tcp://d:2375",
    )
    assert options.theme is None


def test_unknown_flag_is_refused_with_usage() -> None:
    with pytest.raises(SystemExit) as exit_info:
        options_from(["--no-such-flag"])
    assert exit_info.value.code == 2
