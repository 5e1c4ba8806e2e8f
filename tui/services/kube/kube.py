"""The Kubernetes side: kubeconfig and context handling like kubectl's, cluster health, pod listing.

Plain Python with blocking calls; the UI runs them in thread workers.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.models.health import ClusterHealth, Reachability
from tui.services.errors import connection_problem
from tui.services.heavy_imports import heavy_imports
from tui.services.kube.kubeconfig import Kubeconfig, KubeconfigError, read_kubeconfig

if TYPE_CHECKING:
    # Imported where used: `import kubernetes` alone loads its config, dynamic and stream packages (about 0.1 s),
    # and none of it is needed before the first frame; the first call (on a worker thread) pays for it.
    from kubernetes import client as k8s
    from kubernetes.client.exceptions import ApiException

PROBE_TIMEOUT_S = 4.0
LIST_TIMEOUT_S = 30.0
ALL_NAMESPACES = "*"

log = logging.getLogger(__name__)


class KubeUnavailable(Exception):
    """The cluster cannot be used; the message says why, in words."""


def kubeconfig_paths(explicit: str | None) -> list[str]:
    """Where kubectl would look: --kubeconfig, else every path in $KUBECONFIG, else ~/.kube/config."""
    if explicit:
        return [os.path.expanduser(explicit)]
    from_env = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return [os.path.expanduser(p) for p in from_env] or [os.path.expanduser("~/.kube/config")]


class KubeService:
    """One kube context and namespace; everything that talks to the API server goes through here."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        namespace: str | None = None,
        exec_protocol: str = "auto",
    ) -> None:
        self._kubeconfig_paths = kubeconfig_paths(kubeconfig)
        self._requested_context = context
        self._requested_namespace = namespace
        self._lock = threading.Lock()
        self._api_client: k8s.ApiClient | None = None
        self._server = ""
        self._last_problem = ""  # the last reason a probe logged, so a reason that stays is logged once
        self.context: str | None = context
        self.namespace: str = namespace or "default"
        self.exec_protocol = exec_protocol  # "auto": copies over SPDY where the server takes it; or "websocket"

    @property
    def kubeconfig_files(self) -> list[str]:
        """The kubeconfig files this service reads (they need not exist), as kubectl would pick them."""
        return list(self._kubeconfig_paths)

    # ---------------------------------------------------------------- connection

    def api_client(self) -> k8s.ApiClient:
        """The shared ApiClient, loading the kubeconfig on first use (and again after a failure)."""
        with self._lock:
            if self._api_client is None:
                self._api_client = self._load()
            return self._api_client

    def new_api_client(self) -> k8s.ApiClient:
        """A fresh ApiClient: exec streams need their own, since `stream()` patches the one it is given."""
        return self._load()

    def kubeconfig(self) -> Kubeconfig:
        """The kubeconfig files merged, each checked; KubeUnavailable says what is wrong with which file."""
        existing = [p for p in self._kubeconfig_paths if os.path.exists(p)]
        if not existing:
            raise KubeUnavailable(f"no kubeconfig found (looked at {', '.join(self._kubeconfig_paths)})")
        try:
            return read_kubeconfig(existing)
        except KubeconfigError as exc:
            raise KubeUnavailable(str(exc)) from exc

    def _load(self) -> k8s.ApiClient:
        config = self.kubeconfig()
        config_file = os.pathsep.join(config.files)
        wanted = self._requested_context or config.current
        if not wanted:
            raise KubeUnavailable(f"kubeconfig {config_file} has no current-context; choose one with --context")
        if wanted not in config.contexts:
            listed = ", ".join(config.contexts) or "none"
            raise KubeUnavailable(f"context '{wanted}' is not in the kubeconfig (contexts: {listed})")
        problem = config.context_problem(wanted)
        if problem:
            raise KubeUnavailable(problem)
        chosen = config.contexts[wanted]
        self.context = wanted
        own = chosen.settings.get("namespace")
        self.namespace = self._requested_namespace or (str(own) if own else "default")
        with heavy_imports():
            from kubernetes import client as k8s
            from kubernetes.config import kube_config

        from tui.services.kube.request_log import log_requests

        configuration = k8s.Configuration()
        try:
            kube_config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=config_file,
                context=wanted,
                client_configuration=configuration,
                persist_config=False,
            )
        except Exception as exc:  # the files are hostile input: whatever the client trips over is a config problem
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise KubeUnavailable(f"kubeconfig {chosen.path}: context '{wanted}' cannot be used: {reason}") from exc
        # No hidden urllib3 retries: the UI decides when to try again and says so.
        configuration.retries = 0
        self._server = configuration.host
        return log_requests(k8s.ApiClient(configuration))

    def get(self, path: str, query: Sequence[tuple[str, object]] = (), timeout: Any = None) -> Any:
        """GET `path` (with `query`) as JSON and return the urllib3 response unread: the caller reads or streams it
        and releases it; ApiException for an answer outside 2xx. Without the typed API classes: CoreV1Api alone
        imports some 250 pydantic models (a quarter of a second), whose objects a raw read never builds."""
        with heavy_imports():
            from kubernetes.client.exceptions import ApiException

        api = self.api_client()
        request = api.param_serialize(
            method="GET",
            resource_path=path,
            query_params=list(query),
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        response = api.call_api(*request, _request_timeout=timeout)
        if not 200 <= response.status <= 299:
            response.read()  # type: ignore[no-untyped-call]
            raise ApiException.from_response(http_resp=response, body=None, data=None)
        return response.response

    def _forget_client(self) -> None:
        with self._lock:
            self._api_client = None

    # ---------------------------------------------------------------- health

    def probe(self) -> ClusterHealth:
        """Ask the API server for its version; never raises. A new reason is logged once, with its exception."""
        try:
            response = self.get("/version", timeout=PROBE_TIMEOUT_S)
            try:
                version = json.loads(response.data).get("gitVersion")
            finally:
                response.release_conn()
        except Exception as exc:
            self._forget_client()
            detail = (
                self.reason(exc) or f"no usable answer from {self._server or 'the API server'} (see the diagnostic log)"
            )
            if detail != self._last_problem:
                log.warning("cluster check: %s", detail, exc_info=exc)
            self._last_problem = detail
            return ClusterHealth(self.context, self.namespace, Reachability.DOWN, detail)
        self._last_problem = ""
        return ClusterHealth(self.context, self.namespace, Reachability.UP, str(version))

    def explain(self, exc: BaseException) -> str:
        """A failed call, in words: what went wrong and with which server."""
        return self.reason(exc) or f"{type(exc).__name__}: {exc}"

    def reason(self, exc: BaseException) -> str | None:
        """A failed call in words when it is one of the known kinds (config, API answer, connection), else None."""
        if isinstance(exc, KubeUnavailable):
            return str(exc)
        with heavy_imports():
            from kubernetes.client.exceptions import ApiException

        if isinstance(exc, ApiException):
            return explain_api_exception(exc)
        problem = connection_problem(exc)
        if problem:
            return f"cannot reach {self._server or 'the API server'}: {problem}"
        return None

    # ---------------------------------------------------------------- where: context and namespace

    def contexts(self) -> list[str]:
        """The context names of the kubeconfig, as `kubectl config get-contexts` lists them."""
        return sorted(self.kubeconfig().contexts)

    def use_context(self, name: str) -> None:
        """Switch context; the namespace becomes that context's own (as kubectl --context does)."""
        with self._lock:
            self._requested_context = name
            self._requested_namespace = None
            self._api_client = None
            self.context = name
        self.api_client()  # load now, so a bad context is reported to the caller

    def use_namespace(self, namespace: str) -> None:
        with self._lock:
            self._requested_namespace = namespace
            self.namespace = namespace

    def list_namespaces(self) -> list[str]:
        with heavy_imports():
            from kubernetes import client as k8s

        names = k8s.CoreV1Api(self.api_client()).list_namespace(_request_timeout=LIST_TIMEOUT_S)
        return sorted(str(ns.metadata.name) for ns in names.items if ns.metadata)


def explain_api_exception(exc: ApiException) -> str:
    status = exc.status or 0
    message = _api_message(exc)
    if status == 401:
        return "unauthorized: the cluster rejected the credentials (expired token? run your login again)"
    if status == 403:
        return f"forbidden: {message}" if message else "forbidden"
    if status == 404:
        return f"not found: {message}" if message else "not found"
    return f"HTTP {status} {exc.reason}: {message}".rstrip(": ")


def _api_message(exc: ApiException) -> str:
    try:
        body: Any = json.loads(exc.body or "")
    except (TypeError, ValueError):
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""
