"""The pull forms: a form whose local destination is checked before it closes (models/transfer/destination.py has
the rules). What is refused is said on the form, which stays open with everything typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Label

from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.services.transfer.destination import checked

Check = Callable[[FormValues], str | None]


class CheckedForm(FormScreen):
    def __init__(self, title: str, fields: list[Field], ok_label: str, note: str, check: Check) -> None:
        super().__init__(title, fields, ok_label, note)
        self.check = check

    def action_submit(self) -> None:
        problem = self.check(self.values())
        if problem:
            self.query_one("#form-problem", Label).update(problem)
            return
        super().action_submit()


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
