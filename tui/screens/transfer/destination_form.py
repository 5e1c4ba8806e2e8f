"""The pull forms' check of the local destination before they close (models/transfer/destination.py has the
rules). What is refused is said on the form, which stays open with everything typed."""

from __future__ import annotations

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
