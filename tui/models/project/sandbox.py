"""The app's local sandbox stack (tools/stack), known by its kube context: its one real node (a kubelet with
containerd) is labelled type=real and tainted k8sx.dev/real-node:NoSchedule, and the other nodes are kwok's, which
run no container. A pod made for it asks for the real node, or it would never really run."""

from __future__ import annotations

SANDBOX_CONTEXT = "k8sx-local"  # the context tools/stack writes into its kubeconfig
REAL_NODE_SELECTOR = {"type": "real"}
REAL_NODE_TOLERATION = {"key": "k8sx.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}
WHY = f"the local sandbox stack (context {SANDBOX_CONTEXT}) runs containers only on its real node"
NODE = "labelled type=real, tainted k8sx.dev/real-node"


def is_sandbox(context: str | None) -> bool:
    return context == SANDBOX_CONTEXT
