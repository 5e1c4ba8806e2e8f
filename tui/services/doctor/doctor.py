"""The setup doctor: finds which step of the tutorial's set-up is missing and says exactly what to do.

Every check has a timeout (the probes' own), so a dead API server costs seconds, not minutes.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from kubernetes import client as k8s

from tui.models.doctor.checks import (
    GET_CREDENTIALS,
    INSTALL_GKE_PLUGIN,
    CheckState,
    DoctorCheck,
    FixCommand,
    configure_docker,
)
from tui.models.images.image import is_artifact_registry_host
from tui.services.docker.engine import DockerService, meant_host
from tui.services.images.registry_auth import CredentialsError, DockerCredentials, ping_registry
from tui.services.kube.kube import KubeService, KubeUnavailable

OK, WARNING, FAILED = CheckState.OK, CheckState.WARNING, CheckState.FAILED
FIX_KUBECONFIG = "repair the file (kubectl config view shows what kubectl reads), or fetch credentials again"
ASK_FOR_ACCESS = "ask your cluster admin for a Role with these verbs, or pick another namespace (-n)"
CHECK_NETWORK = "check the host name and your network"
REFUSED = "GET /v2/ answered 401: the credentials were refused or are missing"
# What the workflow needs in the namespace: (verb, resource, subresource, what it is for).
NEEDED_ACCESS = (
    ("list", "pods", "", "the pod list"),
    ("watch", "pods", "", "live updates"),
    ("create", "pods", "", "deploying"),
    ("delete", "pods", "", "cleaning up"),
    ("create", "pods", "exec", "shells and copies"),
    ("get", "pods", "log", "logs"),
    ("create", "persistentvolumeclaims", "", "persistent volumes"),
)

log = logging.getLogger(__name__)


class Doctor:
    def __init__(
        self,
        kube: KubeService,
        docker: DockerService,
        registry: str | None = None,
        docker_config_dir: str | None = None,
    ) -> None:
        self.kube = kube
        self.docker = docker
        self.registry = registry
        self.credentials = DockerCredentials(docker_config_dir)

    def checks(self) -> Iterator[DoctorCheck]:
        """Every check in turn; one that breaks is a failed line of its area, and the other areas still run."""
        areas: list[tuple[str, Callable[[], Iterator[DoctorCheck]]]] = [("docker", self.docker_checks)]
        if self.registry:
            areas.append(("registry", partial(self.registry_checks, self.registry)))
        areas += [("kubernetes", self.kube_checks), ("tools", self.tool_checks)]
        for area, area_checks in areas:
            try:
                yield from area_checks()
            except Exception as exc:
                log.warning("the %s checks stopped", area, exc_info=exc)
                words = f"stopped by an unexpected error: {type(exc).__name__}: {exc} (see the diagnostic log)"
                yield DoctorCheck(area, "checks", FAILED, words)

    # ---------------------------------------------------------------- docker

    def docker_checks(self) -> Iterator[DoctorCheck]:
        host = self.docker.host
        socket_path = host.removeprefix("unix://") if host.startswith("unix://") else None
        if socket_path and os.path.exists(socket_path) and not os.access(socket_path, os.R_OK | os.W_OK):
            yield DoctorCheck(
                "docker",
                "engine",
                FAILED,
                f"no permission on {socket_path}",
                "sudo usermod -aG docker $USER, then log out and in again",
            )
            return
        health = self.docker.probe()
        if health.is_up:
            yield DoctorCheck("docker", "engine", OK, f"{health.detail} at {host}")
        else:
            yield DoctorCheck("docker", "engine", FAILED, health.detail, self._engine_fix())

    def _engine_fix(self) -> str:
        meant = meant_host(self.docker.host)
        if meant:
            return f"k8sx-tui --docker-host {meant}" if self.docker.from_flag else f"export DOCKER_HOST={meant}"
        return "start Docker (Docker Desktop, or: sudo systemctl start docker), or set DOCKER_HOST"

    # ---------------------------------------------------------------- registry

    def registry_checks(self, registry: str) -> Iterator[DoctorCheck]:
        name = f"credentials for {registry}"
        try:
            source, helper = self._credential_source(registry, self.credentials._config())
        except CredentialsError as exc:  # config.json unreadable
            yield self._check("registry", name, FAILED, str(exc), self._login_fix(registry, None))
            return
        fix = self._login_fix(registry, helper)
        try:
            auth = self.credentials.lookup(registry)
        except CredentialsError as exc:  # the helper is missing or failed
            yield self._check("registry", name, FAILED, str(exc), fix)
            return
        status = ping_registry(registry, auth)
        if auth is not None:
            yield DoctorCheck("registry", name, OK, f"from {source}")
        elif status == 200:  # a registry open to anyone (a local one) needs none
            yield DoctorCheck("registry", name, OK, f"none needed (none in {self.credentials.config_path})")
        else:
            yield self._check("registry", name, WARNING, f"none in {self.credentials.config_path}", fix)
        name = f"login to {registry}"
        if status == 200:
            yield DoctorCheck("registry", name, OK, "GET /v2/ accepted")
        elif status == 401:
            yield self._check("registry", name, FAILED, REFUSED, fix)
        elif status is None:
            yield DoctorCheck("registry", name, FAILED, f"cannot reach {registry}", CHECK_NETWORK)
        else:
            yield DoctorCheck("registry", name, WARNING, f"GET /v2/ answered HTTP {status}")

    @staticmethod
    def _login_fix(registry: str, helper: str | None) -> FixCommand | str:
        """Artifact Registry hosts, and any host handed to gcloud's helper, are set up by configure-docker (safe to
        run: it only writes config.json); any other registry needs `docker login` and a password typed by the user."""
        if is_artifact_registry_host(registry) or helper == "gcloud":
            return configure_docker(registry)
        return f"docker login {registry}"

    @staticmethod
    def _check(area: str, name: str, state: CheckState, detail: str, fix: FixCommand | str) -> DoctorCheck:
        if isinstance(fix, FixCommand):
            return DoctorCheck.runnable(area, name, state, detail, fix)
        return DoctorCheck(area, name, state, detail, fix)

    def _credential_source(self, registry: str, config: dict[str, Any]) -> tuple[str, str | None]:
        """Where the docker CLI would take the registry's credentials from, and the helper's name if any."""
        helper = config.get("credHelpers", {}).get(registry)
        if helper:
            return f"credHelpers: docker-credential-{helper}", str(helper)
        if config.get("credsStore"):
            return f"credsStore: docker-credential-{config['credsStore']}", str(config["credsStore"])
        return f"auths in {self.credentials.config_path}", None

    # ---------------------------------------------------------------- kubernetes

    def kube_checks(self) -> Iterator[DoctorCheck]:
        paths = self.kube.kubeconfig_files
        found = [p for p in paths if os.path.exists(p)]
        if not found:
            yield DoctorCheck.runnable(
                "kubernetes", "kubeconfig", FAILED, f"none at {', '.join(paths)}", GET_CREDENTIALS
            )
            return
        try:
            self.kube.api_client()  # reads the files and the context as every request would
        except KubeUnavailable as exc:
            yield DoctorCheck("kubernetes", "kubeconfig", FAILED, str(exc).removeprefix("kubeconfig "), FIX_KUBECONFIG)
            return
        yield DoctorCheck("kubernetes", "kubeconfig", OK, ", ".join(found))
        yield from self._exec_plugin_check()
        health = self.kube.probe()
        if not health.is_up:
            yield DoctorCheck(
                "kubernetes",
                "API server",
                FAILED,
                health.detail,
                "check the context (kubectl config get-contexts) and your network/VPN",
            )
            return
        yield DoctorCheck("kubernetes", "API server", OK, f"{health.detail}, context {health.context}")
        yield from self._access_checks(health.namespace)

    def _exec_plugin_check(self) -> Iterator[DoctorCheck]:
        """A context whose user runs a credential plugin (gke-gcloud-auth-plugin) needs that program."""
        config = self.kube.kubeconfig()
        context = config.contexts.get(self.kube.context or config.current or "")
        user = config.users.get(str(context.settings.get("user"))) if context else None
        run = user.settings.get("exec") if user else None
        plugin = run.get("command") if isinstance(run, dict) else None
        if not plugin:
            return
        if shutil.which(str(plugin)):
            yield DoctorCheck("kubernetes", "credential plugin", OK, f"{plugin} found")
        else:
            fix = INSTALL_GKE_PLUGIN if "gke" in str(plugin) else f"install {plugin}"
            yield self._check("kubernetes", "credential plugin", FAILED, f"{plugin} not on PATH", fix)

    def _access_checks(self, namespace: str) -> Iterator[DoctorCheck]:
        authorization = k8s.AuthorizationV1Api(self.kube.api_client())
        missing: list[str] = []
        for verb, resource, subresource, purpose in NEEDED_ACCESS:
            review = k8s.V1SelfSubjectAccessReview(
                spec=k8s.V1SelfSubjectAccessReviewSpec(
                    resource_attributes=k8s.V1ResourceAttributes(
                        namespace=namespace, verb=verb, resource=resource, subresource=subresource or None
                    )
                )
            )
            try:
                answer = authorization.create_self_subject_access_review(review, _request_timeout=5)
            except Exception as exc:
                yield DoctorCheck("kubernetes", f"access in {namespace}", WARNING, self.kube.explain(exc))
                return
            if answer.status is None or not answer.status.allowed:
                missing.append(f"{verb} {resource}{'/' + subresource if subresource else ''} ({purpose})")
        if missing:
            denied = "not allowed: " + "; ".join(missing)
            yield DoctorCheck("kubernetes", f"access in {namespace}", FAILED, denied, ASK_FOR_ACCESS)
        else:
            yield DoctorCheck("kubernetes", f"access in {namespace}", OK, "pods, exec, logs and volumes allowed")

    # ---------------------------------------------------------------- optional tools

    def tool_checks(self) -> Iterator[DoctorCheck]:
        for tool, without in (
            ("kubectl", "k8sx-tui talks to the API itself; kubectl is only needed for your own scripts"),
            ("gcloud", "needed only for GKE credentials and Artifact Registry logins"),
        ):
            path = shutil.which(tool)
            if path:
                yield DoctorCheck("tools", tool, OK, path)
            else:
                yield DoctorCheck("tools", tool, WARNING, f"not found ({without})")


def report(checks: list[DoctorCheck]) -> str:
    """Plain text, one line a check, a fix line under each that needs one."""
    lines = []
    for check in checks:
        lines.append(f"{check.state.value:<8}{check.area:<11}{check.name}: {check.detail}")
        if check.fix and check.state is not CheckState.OK:
            lines.append(f"{'':<19}fix: {check.fix}")
    return "\n".join(lines)
