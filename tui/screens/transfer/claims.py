"""The claims view (`v` on the pod list): the namespace's PersistentVolumeClaims as `kubectl get pvc` lists them, with
the pods that mount each, and `r` to pull results from one, also when every pod that used it is gone."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.models.pods.row import short_age
from tui.models.transfer.app_folders import results_folder
from tui.models.transfer.progress import TransferSummary
from tui.screens.common.base import AppFooter
from tui.screens.common.failures import WorkerFailures
from tui.screens.common.forms import Field, FormScreen, FormValues
from tui.screens.common.keyed_rows import cursor_key, refill
from tui.screens.common.table_keys import TableKeys
from tui.screens.transfer.destination_form import destination, destination_check
from tui.screens.transfer.pod_flows import PodTransfers, Progress, PullCall, ask_then_pull
from tui.services.images.last_pushed import LastPushed
from tui.services.kube.kube import ALL_NAMESPACES, KubeService
from tui.services.transfer.claim_mounts import ClaimMountStore
from tui.services.transfer.claims import (
    ClaimList,
    ClaimPullPlan,
    ClaimRow,
    ClaimUnreadable,
    is_under,
    plan_pull,
    pull_claim,
)

REFRESH_S = 5.0
COLUMNS = ("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE", "USED BY")


@dataclass
class ClaimsListed(Message):
    rows: list[ClaimRow] | None
    problem: str = ""


def claim_cells(row: ClaimRow, now: datetime, all_namespaces: bool) -> list[str]:
    cells = [row.name, row.status, row.volume, row.capacity, row.access_modes, row.storage_class,
             short_age(row.created, now), row.used_by]  # fmt: skip
    return [row.namespace, *cells] if all_namespaces else cells


class ClaimsScreen(WorkerFailures, TableKeys, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="claims.back"),
        Binding("r", "pull", "Pull", id="claims.pull", tooltip="pull a path from the claim under the cursor"),
    ]
    DEFAULT_CSS = """
    ClaimsScreen #claims-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ClaimsScreen #claims-info { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ClaimsScreen DataTable { height: 1fr; }
    """

    def __init__(self, kube: KubeService, transfers: PodTransfers, store: ClaimMountStore | None = None) -> None:
        super().__init__()
        self.title = "Claims"
        self.kube = kube
        self.transfers = transfers
        self.store = store or ClaimMountStore()
        self.claims = ClaimList(kube)
        self.namespace = kube.namespace
        self.rows: dict[str, ClaimRow] = {}
        self.listed = False
        self.problem = ""

    def compose(self) -> ComposeResult:
        where = "all namespaces" if self.namespace == ALL_NAMESPACES else f"namespace {self.namespace}"
        yield Static(f"PersistentVolumeClaims in {where}   (Esc: back to the pods)", id="claims-title", markup=False)
        yield Static("listing…", id="claims-info")
        yield DataTable(id="claims", cursor_type="row", zebra_stripes=True)
        yield AppFooter()

    @property
    def table(self) -> DataTable[str]:
        return self.query_one("#claims", DataTable)

    def on_mount(self) -> None:
        all_namespaces = self.namespace == ALL_NAMESPACES
        self.table.add_columns(*(("NAMESPACE",) if all_namespaces else ()), *COLUMNS)
        self.table.focus()
        self.refresh_claims()
        self.set_interval(REFRESH_S, self.refresh_claims)

    @work(thread=True, exclusive=True, group="claims-list", exit_on_error=False)
    def refresh_claims(self) -> None:
        try:
            rows = self.claims.rows(self.namespace)
        except Exception as exc:
            self.post_message(ClaimsListed(None, self.kube.explain(exc)))
            return
        self.post_message(ClaimsListed(rows))

    def on_claims_listed(self, message: ClaimsListed) -> None:
        if message.rows is None:
            self.problem = message.problem
        else:
            self.problem, self.listed = "", True
            self._fill(message.rows)
        self._update_info()

    def _fill(self, rows: list[ClaimRow]) -> None:
        now, all_namespaces = datetime.now(UTC), self.namespace == ALL_NAMESPACES
        self.rows = {row.key: row for row in rows}
        refill(self.table, ((row.key, claim_cells(row, now, all_namespaces)) for row in rows))

    def show_failure(self, text: str) -> None:
        self.query_one("#claims-info", Static).update(f"[$text-error]{escape(text)}[/]")

    def _update_info(self) -> None:
        where = "all namespaces" if self.namespace == ALL_NAMESPACES else f"namespace {self.namespace}"
        info = self.query_one("#claims-info", Static)
        if self.problem:
            verb = "cannot list claims" if not self.listed else "claims not refreshed"
            info.update(f"[$text-error]{verb}: {escape(self.problem)} (retrying every {REFRESH_S:.0f}s)[/]")
        elif not self.rows:
            info.update(
                f"no PersistentVolumeClaims in {escape(where)}: only files on a claim outlive their pod "
                "(the Deploy template makes one)"
            )
        else:
            count = f"{len(self.rows)} claim{'s' if len(self.rows) != 1 else ''}"
            info.update(f"{count} in {escape(where)} · r: pull results from the claim · [$text-success]live[/]")

    @property
    def cursor_claim(self) -> ClaimRow | None:
        key = cursor_key(self.table)
        return self.rows.get(key) if key is not None else None

    # ---------------------------------------------------------------- r: pull from the claim

    def action_pull(self) -> None:
        claim = self.cursor_claim
        if claim is None:
            self.notify("no claim selected" if self.listed else "the claims are not listed yet", severity="warning")
            return
        paths = self.transfers.paths()
        try:
            plan = plan_pull(claim, paths.results, self.store.recall(claim.namespace, claim.name), LastPushed().get())
        except ClaimUnreadable as exc:
            self.notify(str(exc), title="Pull", severity="error")
            return
        fields, note = self._form(plan, paths.results_from)

        def chosen(values: FormValues | None) -> None:
            if values:
                self._pull(plan, str(values["remote"]), str(values.get("image", "")), destination(values))

        title = f"Pull results from claim {claim.key}"
        self.app.push_screen(FormScreen(title, fields, "Pull", note, check=destination_check("local")), chosen)

    def _form(self, plan: ClaimPullPlan, results_from: str) -> tuple[list[Field], str]:
        """Labels and note lines short: the form does not wrap them."""
        name = plan.claim.name
        default = results_folder(self.transfers.folder) / name
        local = Field("local", "Copy to (local folder)", str(default), required=True)
        if plan.pod:
            label = f"Results, as pod {plan.pod} sees them (the results path from {results_from})"
            remote = Field("remote", label, plan.remote, required=True)
            note = f"Pod {plan.pod} mounts the claim at {plan.mount_path}: the copy goes through it."
            return [remote, local], note
        assert plan.spec is not None
        image = Field("image", "Helper pod's image (it needs sh and tar)", plan.spec.image, required=True)
        if plan.remembered:
            label = f"Results, as pod {plan.recorded_pod} had them (the results path from {results_from})"
            remote = Field("remote", label, plan.remote, required=True)
            note = (
                f"No running or finished pod mounts {name}. A helper pod mounts it read-only\n"
                f"where pod {plan.recorded_pod} had it ({plan.mount_path}), with that pod's image and placement,\n"
                "and is deleted afterwards."
            )
            return [remote, image, local], note
        remote = Field("remote", "Path inside the claim (/ is the whole claim)", plan.remote, required=True)
        note = (
            f"No running or finished pod mounts {name}, and where its pods had it is unknown\n"
            "(the app did not deploy them). A helper pod mounts it read-only\nand is deleted afterwards."
        )
        return [remote, image, local], note

    def _pull(self, plan: ClaimPullPlan, typed: str, image: str, local: Path) -> None:
        remote = plan.remote_path(typed)
        if not plan.in_claim and not is_under(remote, plan.mount_path):
            self.notify(f"{typed} is not on claim {plan.claim.name}, which is mounted at {plan.mount_path}",
                        title="Pull", severity="error")  # fmt: skip
            return

        def pull(overwrite: bool, resume: bool) -> PullCall:
            def call(progress: Progress, cancel: threading.Event) -> TransferSummary:
                pulls = self.transfers.claims
                return pull_claim(pulls, plan, typed, image, local, overwrite, progress, cancel, resume)

            return call

        title = f"Pull claim {plan.claim.key}:{typed} → {local}"
        whose = f"claim {plan.claim.name}'s"
        ask_then_pull(self, title, typed, local, plan.source(typed), pull, whose)
