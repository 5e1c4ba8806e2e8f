"""`k8sx-tui`: parse the command line, build the backends, run the app (or `k8sx-tui doctor`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tui import __version__
from tui.backends import backends_from
from tui.diagnostic_log import LEVELS, default_log_path, log, log_start_up, start_log
from tui.launch import LaunchOptions
from tui.settings import LoadedSettings, default_config_text, load_settings


def _add_target_flags(parser: argparse.ArgumentParser, default: object = None) -> None:
    """Which cluster and engine: accepted before and after a subcommand (`default` SUPPRESS after it, so the
    subcommand does not reset what was given before it)."""
    parser.add_argument(
        "--kubeconfig", default=default, help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)"
    )
    parser.add_argument("--context", default=default, help="kube context (default: the kubeconfig's current-context)")
    parser.add_argument("-n", "--namespace", default=default, help="namespace (default: the context's, then 'default')")
    parser.add_argument(
        "--docker-host", default=default, help="Docker engine, e.g. unix:///var/run/docker.sock (default: $DOCKER_HOST)"
    )


def _add_runs_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Here, not in tui/runs_cli.py: --help and --version build the parser and import nothing of the store."""
    runs = commands.add_parser("runs", help="the recorded runs: list, show, logs, export (no cluster needed)")
    actions = runs.add_subparsers(dest="runs_command", metavar="{list,show,logs,export}", required=True)
    listing = actions.add_parser("list", help="every run, newest first")
    listing.add_argument("--json", action="store_true", help="a JSON list, one object per run")
    show = actions.add_parser("show", help="everything recorded about a run")
    show.add_argument("run", metavar="RUN", help="a run's id, or the start of one")
    show.add_argument("--json", action="store_true", help="the record as JSON, with its results and logs")
    logs = actions.add_parser("logs", help="print a run's archived log, exactly as the container wrote it")
    logs.add_argument("run", metavar="RUN", help="a run's id, or the start of one")
    logs.add_argument("-c", "--container", help="which container (needed when the run has several)")
    logs.add_argument(
        "--cloud", action="store_true", help="a GKE run's log from Cloud Logging (with your gcloud), not the archive"
    )
    export = actions.add_parser("export", help="write a run to a new folder: manifest, metadata, logs, results")
    export.add_argument("run", metavar="RUN", help="a run's id, or the start of one")
    export.add_argument("folder", metavar="DIR", help="a folder that does not exist yet, or an empty one")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k8sx-tui",
        description="Build, push, deploy, watch and shell into experiments on Kubernetes from one terminal app.",
    )
    _add_target_flags(parser)
    parser.add_argument("--theme", help="colour theme by name (default: the settings file's, then k8sx-dark)")
    parser.add_argument(
        "--config", help="settings file (default: $K8SX_TUI_CONFIG, then $XDG_CONFIG_HOME/k8sx-tui/config.yaml)"
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the default settings as a config file and exit"
    )
    parser.add_argument(
        "--log-file", help="diagnostic log (default: $K8SX_TUI_LOG_FILE, then $XDG_STATE_HOME/k8sx-tui/k8sx-tui.log)"
    )
    parser.add_argument("--log-level", choices=sorted(LEVELS), help="how much the diagnostic log says (default: info)")
    parser.add_argument("--version", action="version", version=f"k8sx-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    doctor = commands.add_parser(
        "doctor",
        help="check Docker, registry credentials, kubeconfig, cluster access; print fixes (exit 0 when all is well)",
    )
    _add_target_flags(doctor, argparse.SUPPRESS)
    doctor.add_argument("--registry", help="registry host to check, e.g. REGION-docker.pkg.dev")
    forward = commands.add_parser(
        "forward", help="forward local ports to a pod (or an experiment's pod), kept across pod restarts"
    )
    _add_target_flags(forward, argparse.SUPPRESS)
    forward.add_argument("target", metavar="POD|experiment/NAME")
    forward.add_argument("ports", metavar="[ADDRESS:]LOCAL:REMOTE", nargs="+", help="e.g. 6006 or 16006:6006")
    _add_runs_parser(commands)
    return parser


def options_from(argv: Sequence[str] | None = None) -> LaunchOptions:
    return _options(build_parser().parse_args(argv))


def _options(args: argparse.Namespace) -> LaunchOptions:
    return LaunchOptions(
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        docker_host=args.docker_host,
        theme=getattr(args, "theme", None),
    )


def with_settings(options: LaunchOptions, loaded: LoadedSettings) -> LaunchOptions:
    """Flags win over the settings file and its environment overrides."""
    settings = loaded.settings
    return replace(
        options,
        context=options.context or settings.context,
        namespace=options.namespace or settings.namespace,
        theme=options.theme or settings.theme,
        exec_protocol=settings.exec_protocol,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.print_config:
        print(default_config_text(), end="")
        return 0
    if args.command == "runs":  # the run records only: no settings, cluster or engine
        from tui.runs_cli import run_runs

        return run_runs(args)
    loaded = load_settings(Path(args.config).expanduser() if args.config else None)
    options = with_settings(_options(args), loaded)
    log_file = start_diagnostic_log(args, loaded, options)
    if args.command == "doctor":
        for problem in loaded.problems:
            print(f"settings: {problem}", file=sys.stderr)
        print(f"diagnostic log: {log_file}", file=sys.stderr)
        return run_doctor(options, args.registry)
    if args.command == "forward":
        from tui.forward_cli import run_forward

        return run_forward(options, args.target, args.ports)
    from tui.app import K8sxApp  # after argument parsing, so --help and --version stay instant

    problems = [*loaded.problems, *([] if isinstance(log_file, Path) else [log_file])]
    app = K8sxApp(backends_from(options), theme_name=options.theme, settings=loaded.settings, problems=problems)
    try:
        app.run()
    finally:
        log.info("k8sx-tui stopped (return code %s)", app.return_code)
    return app.return_code or 0


def start_diagnostic_log(args: argparse.Namespace, loaded: LoadedSettings, options: LaunchOptions) -> Path | str:
    """The log's path once it is written to, else why not (the app runs on without it)."""
    settings = loaded.settings
    path = Path(args.log_file or settings.log_file or default_log_path()).expanduser()
    problem = start_log(path, args.log_level or settings.log_level)
    if problem:
        return problem
    log_start_up(
        {
            "command": args.command or "app",
            "settings file": f"{loaded.path}{'' if loaded.path.exists() else ' (none)'}",
            "kubeconfig": options.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config",
            "context": options.context or "(the kubeconfig's current-context)",
            "namespace": options.namespace or "(the context's)",
            "docker host": options.docker_host or os.environ.get("DOCKER_HOST") or "(the local socket)",
            "exec protocol": options.exec_protocol,
            "log level": args.log_level or settings.log_level,
        }
    )
    for problem in loaded.problems:
        log.warning("settings: %s", problem)
    return path


def run_doctor(options: LaunchOptions, registry: str | None) -> int:
    from tui.models.doctor.checks import CheckState
    from tui.services.doctor.doctor import Doctor, report

    backends = backends_from(options)
    checks = []
    for check in Doctor(backends.kube, backends.docker, registry).checks():
        checks.append(check)
        print(report([check]), flush=True)
    failed = sum(check.state is CheckState.FAILED for check in checks)
    print(f"\n{failed} problem{'s' if failed != 1 else ''} found" if failed else "\nall is well", file=sys.stderr)
    return 1 if failed else 0
