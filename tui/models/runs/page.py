"""A run's page as text: what the Runs screen shows on Enter and `k8sx-tui runs show` prints. Plain text; the
screen makes it safe to draw (control characters shown, never sent), the CLI prints it as it is."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from tui.models.runs.listing import run_status, span_text
from tui.models.runs.result_state import ResultsState
from tui.models.runs.run import LogArchive, Run, RunResult
from tui.models.units import counted, human_bytes


def when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp is not None else "-"


def run_page(
    run: Run,
    results: Sequence[RunResult],
    logs: Sequence[LogArchive],
    states: Sequence[ResultsState] | None = None,
) -> str:
    """`states`: whether each pull's local files still match (results_states, one per result), when checked."""
    return "\n".join(run_page_lines(run, results, logs, states)) + "\n"


def run_page_lines(
    run: Run,
    results: Sequence[RunResult],
    logs: Sequence[LogArchive],
    states: Sequence[ResultsState] | None = None,
) -> list[str]:
    lines = [
        f"Run {run.id}: {run.kind} {run.name}",
        f"  context {run.context} · namespace {run.namespace} · server {run.server or '-'}",
        f"  status {run_status(run)}",
        f"  pod {run.pod or '-'} · node {run.node or '-'}",
        f"  applied {when(run.created)} · started {when(run.started)} · ended {when(run.ended)}"
        + (f" · duration {span_text(run.ended - run.started)}" if run.started and run.ended else ""),
        "",
        "Images",
        *(f"  {image}" for image in run.images),
        *(f"  digest {digest}" for digest in run.digests),
        "",
        "Code",
        *_code_lines(run),
        "",
        "Params",
        *(f"  {key}: {json.dumps(value, ensure_ascii=False)}" for key, value in run.params.items()),
        "",
        "Requests",
        *(f"  {key}: {value}" for key, value in run.requests.items()),
        "",
        "Containers",
        *(
            f"  {end.name}: {end.state}"
            + (f", exit {end.exit_code}" if end.exit_code is not None else "")
            + (f", {end.reason}" if end.reason else "")
            + f", {counted(end.restarts, 'restart')}"
            + (f", image {end.image_id}" if end.image_id else "")
            for end in run.containers
        ),
        "",
        "Results pulled",
        *_result_lines(results, states),
        "",
        "Logs archived",
        *(
            f"  {archive.container}: {counted(archive.lines, 'line')}"
            + (", complete" if archive.complete else ", not complete")
            + (f"; gaps: {'; '.join(archive.gaps)}" if archive.gaps else "")
            for archive in logs
        ),
        "",
        "Manifest",
        *(f"  {line}" for line in run.manifest.splitlines()),
    ]
    if run.project:
        lines += ["", "k8sx.yaml", *(f"  {line}" for line in run.project.splitlines())]
    if run.code is not None and run.code.diff:
        lines += ["", "Code diff", *(f"  {line}" for line in run.code.diff.splitlines())]
    return _with_none(lines)


def _result_lines(results: Sequence[RunResult], states: Sequence[ResultsState] | None) -> list[str]:
    """Each pull: when, where, files and bytes; then, once checked, whether the files there still match."""
    lines: list[str] = []
    for index, result in enumerate(results):
        lines.append(
            f"  {when(result.at)} {result.local_path}: {counted(result.files, 'file')}, {human_bytes(result.bytes)}"
        )
        if states is not None and index < len(states):
            lines.append(f"    {states[index].words}")
    return lines


def _code_lines(run: Run) -> list[str]:
    code = run.code
    if code is None:
        return []
    lines = [f"  folder {code.folder}"]
    if code.commit:
        lines.append(f"  commit {code.commit}" + (f" on {code.branch}" if code.branch else ""))
        lines.append("  uncommitted changes: see Code diff" if code.diff else "  no uncommitted changes")
        if code.untracked:
            lines.append(f"  untracked: {', '.join(code.untracked)}")
    elif code.content_hash:
        lines.append(f"  not in git; content sha256 {code.content_hash}")
    return lines


def _with_none(lines: list[str]) -> list[str]:
    """A heading with nothing under it says `none` (an empty section reads as missing text otherwise)."""
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        heading = line and not line.startswith(" ") and index > 0 and not lines[index - 1]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if heading and not following.startswith("  "):
            out.append("  none")
    return out
