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

# The diff as a run's page on screen shows it: the page is laid out as one text on the UI thread (a 0.5 MB diff held
# it 2 s, 5 MB 28 s); the whole diff is in the export's code.diff and `k8sx-tui runs show`.
DIFF_SHOWN_LINES = 1000
DIFF_SHOWN_CHARS = 100_000


def when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp is not None else "-"


def run_page(
    run: Run,
    results: Sequence[RunResult],
    logs: Sequence[LogArchive],
    states: Sequence[ResultsState] | None = None,
    diff_cut: bool = False,
) -> str:
    """`states`: whether each pull's local files still match (check_results, one per result), when checked.
    `diff_cut`: the diff's first lines only, as the screen shows it (the CLI prints it all)."""
    return "\n".join(run_page_lines(run, results, logs, states, diff_cut)) + "\n"


def run_page_lines(
    run: Run,
    results: Sequence[RunResult],
    logs: Sequence[LogArchive],
    states: Sequence[ResultsState] | None = None,
    diff_cut: bool = False,
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
        lines += ["", "Code diff", *_diff_lines(run.id, run.code.diff, diff_cut)]
    return _with_none(lines)


def _diff_lines(run_id: str, diff: str, cut: bool) -> list[str]:
    """The diff, or its first DIFF_SHOWN_LINES (DIFF_SHOWN_CHARS at most) and a line saying where the rest is."""
    lines = diff.splitlines()
    if not cut:
        return [f"  {line}" for line in lines]
    shown: list[str] = []
    room = DIFF_SHOWN_CHARS
    for line in lines[:DIFF_SHOWN_LINES]:
        if len(line) > room:
            break
        shown.append(f"  {line}")
        room -= len(line)
    rest = len(lines) - len(shown)
    if rest:
        if room and len(shown) < DIFF_SHOWN_LINES:  # a long line: its start, marked as cut
            shown.append(f"  {lines[len(shown)][:room]}…")
        shown.append(
            f"  … {counted(rest, 'more line')} of the diff ({human_bytes(len(diff.encode()))} in all): "
            f"`e` exports it whole (code.diff), `k8sx-tui runs show {run_id}` prints it"
        )
    return shown


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
