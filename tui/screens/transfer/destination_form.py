"""The transfer forms' checks of local paths before they close: a pull's destination (models/transfer/destination.py
has the rules), a copy-in's source. What is refused is said on the form, which stays open with everything typed."""

from __future__ import annotations

import os
from pathlib import Path

from tui.screens.common.forms import Check, FormValues
from tui.services.transfer.destination import checked


def destination_check(field: str, names: list[str] | None = None) -> Check:
    """Refuse what `field` names if a pull must not replace it; with `names`, each folder of that name inside it
    (one per pod) instead. An empty field is left to the form's own "needed"."""

    def check(values: FormValues) -> str | None:
        typed = str(values[field])
        if not typed:
            return None
        if names is None:
            return checked(typed)[1]
        parent = checked(typed)[0]
        return next((refused for name in names if (refused := checked(parent / name)[1])), None)

    return check


def destination(values: FormValues, field: str = "local") -> Path:
    """The destination typed, absolute and normalised by its text, as the check saw it."""
    return checked(str(values[field]))[0]


def local_exists(field: str) -> Check:
    """The copy-in form's check: what `field` names must be here (a file or a folder), said on the form."""

    def check(values: FormValues) -> str | None:
        typed = str(values[field])
        if typed and not Path(os.path.expanduser(typed)).exists():
            return f"{typed} does not exist here"
        return None

    return check
