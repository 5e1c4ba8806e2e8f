"""k8sx-tui: run experiments on Kubernetes from one keyboard-driven terminal app."""

__version__ = "0.1.0"
