"""The command line: the flags a kubectl and docker user expects."""

import subprocess
import sys

import pytest

from tui import __version__
from tui.cli import options_from


def test_version_prints_the_package_version() -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.strip() == f"k8sx-tui {__version__}"


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
