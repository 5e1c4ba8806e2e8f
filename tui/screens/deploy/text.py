"""What the deploy screen's right-hand panel says: where the followed pod stands (with its claims and warnings),
and the stages of the build → push → deploy → Running → shell loop. Markup text from plain values."""

from __future__ import annotations

from textual.markup import escape

from tui.models.deploy.fanout import FanOutProgress
from tui.models.deploy.pod_progress import PodProgress, Verdict
from tui.models.logs.safe_text import safe_lines
from tui.models.project.project_file import LOOP_STAGES, StageState, StageUpdate

_VERDICT_COLOUR = {
    Verdict.RUNNING: "$text-success",
    Verdict.SUCCEEDED: "$text-success",
    Verdict.WAITING: "$text-warning",
    Verdict.STUCK: "$text-error",
    Verdict.FAILED: "$text-error",
    Verdict.GONE: "$text-muted",
}
_STAGE_MARK = {
    StageState.RUNNING: "[$text-warning]…[/]",
    StageState.DONE: "[$text-success]✓[/]",
    StageState.FAILED: "[$text-error]✗[/]",
}
HELP = (
    "o: open a pod YAML · t: make one from the template · e: edit it here · "
    "ctrl+s: apply it (server-side) and follow the pod · ctrl+w: save it · "
    "g: build → push → deploy → shell from k8sx.yaml (none yet: g offers to write one)"
)


def shown(text: str) -> str:
    """Words the API server or a pod chose (events, reasons, a termination message) as markup-safe, harmless text."""
    return escape(safe_lines(text))


def progress_lines(progress: PodProgress) -> list[str]:
    colour = _VERDICT_COLOUR[progress.verdict]
    lines = [f"[{colour}]{shown(progress.summary())}[/]"]
    for claim in progress.claims:
        claim_colour = "$text-success" if claim.phase == "Bound" else "$text-warning"
        lines.append(f"[{claim_colour}]{shown(str(claim))}[/]")
    if progress.events and progress.verdict not in (Verdict.RUNNING, Verdict.SUCCEEDED):  # old news once it runs
        lines.append("[b]warnings[/b]")
        lines.extend(f"  {shown(event)}" for event in progress.events)
    return lines


FAN_OUT_SHOWN = 12
_STATUS_COLOUR = {"Running": "$text-success", "Completed": "$text-success", "Pending": "$text-warning"}


def fanout_lines(progress: FanOutProgress) -> list[str]:
    """The fan-out followed: a summary, the Job's counts and end, its warnings verbatim, then a line per pod."""
    lines = [f"[b]{shown(progress.summary())}[/b]"]
    job = progress.job
    if job is not None:
        colour = "$text-error" if job.ended.startswith("Failed") else "$text-success" if job.ended else ""
        lines.append(f"[{colour}]{shown(str(job))}[/]" if colour else shown(str(job)))
        if job.warnings and job.ended != "Complete":
            lines.append("[b]warnings[/b]")
            lines.extend(f"  [$text-error]{shown(warning)}[/]" for warning in job.warnings)
    elif progress.job_expected and not progress.trouble:
        lines.append(f"[$text-muted]job {shown(progress.name)} is gone (deleted)[/]")
    if progress.trouble:
        lines.append(f"[$text-error]{shown(progress.trouble)}[/]")
    for member in progress.members[:FAN_OUT_SHOWN]:
        index = "?" if member.index is None else str(member.index)
        colour = _STATUS_COLOUR.get(member.status, "$text-error" if member.phase == "Failed" else "")
        status = f"[{colour}]{shown(member.status)}[/]" if colour else shown(member.status)
        lines.append(f"  {index:>3}  {shown(member.pod)}  {status}")
    if len(progress.members) > FAN_OUT_SHOWN:
        lines.append(f"  … and {len(progress.members) - FAN_OUT_SHOWN} more (listed below)")
    return lines


def stage_lines(stages: dict[str, StageUpdate]) -> list[str]:
    """One line per stage reached, then the ones not reached (dim) — unless a stage failed: the loop stopped."""
    lines = ["[b]build → push → deploy → Running → shell[/b]"]
    failed = any(update.state is StageState.FAILED for update in stages.values())
    for stage in LOOP_STAGES:
        update = stages.get(stage)
        if update is None:
            lines.append(f"[$text-muted]  {stage}{' (not run)' if failed else ''}[/]")
            continue
        colour = "$text-error" if update.state is StageState.FAILED else ""
        text = f"{stage:<8} {shown(update.detail)}"
        lines.append(f"{_STAGE_MARK[update.state]} " + (f"[{colour}]{text}[/]" if colour else text))
    return lines
