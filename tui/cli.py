"""`k8sx-tui`: parse the command line, build the backends, run the app."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from tui import __version__
from tui.backends import backends_from
from tui.config import LaunchOptions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k8sx-tui",
        description="Build, push, deploy, watch and shell into experiments on Kubernetes from one terminal app.",
    )
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    parser.add_argument("--context", help="kube context to use (default: the kubeconfig's current-context)")
    parser.add_argument("-n", "--namespace", help="namespace (default: the context's, then 'default')")
    parser.add_argument(
        "--docker-host", help="Docker engine address, e.g. unix:///var/run/docker.sock (default: $DOCKER_HOST)"
    )
    parser.add_argument("--theme", help="colour theme by name")
    parser.add_argument("--version", action="version", version=f"k8sx-tui {__version__}")
    return parser


def options_from(argv: Sequence[str] | None = None) -> LaunchOptions:
    args = build_parser().parse_args(argv)
    return LaunchOptions(
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        docker_host=args.docker_host,
        theme=args.theme,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = options_from(argv)
    from tui.app import K8sxApp  # after argument parsing, so --help and --version stay instant

    app = K8sxApp(backends_from(options), theme_name=options.theme)
    app.run()
    return app.return_code or 0
