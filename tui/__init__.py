"""k8sx-tui: run experiments on Kubernetes from one keyboard-driven terminal app."""

import logging

__version__ = "0.1.0"

# Without a diagnostic log (none could be opened, or the package is used by a test or a bench), the app's records
# go nowhere: Python's last-resort handler would print warnings onto the terminal the app draws on.
logging.getLogger("tui").addHandler(logging.NullHandler())
