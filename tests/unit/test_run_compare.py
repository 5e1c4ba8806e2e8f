"""Two runs compared without a UI: rows of facts (A the older), params flattened, the code diffs' difference in
words, the manifests' unified diff with sorted keys."""

from __future__ import annotations

from dataclasses import replace

from tests.support.run_records import DIFF, make_run
from tui.models.runs.compare import (
    MISSING,
    Comparison,
    Row,
    code_diff_summary,
    compare_runs,
    diff_files,
    flat_params,
)
from tui.models.runs.run import CodeState, ContainerEnd, Run

NOW = 1_800_000_000.0
DIGEST_A, DIGEST_B = "sha256:" + "aa" * 32, "sha256:" + "bb" * 32

GIT_DIFF = """diff --git a/train.py b/train.py
index 1111111..2222222 100644
--- a/train.py
+++ b/train.py
@@ -1,2 +1,2 @@
-lr = 0.1
+lr = 0.01
 epochs = 3
diff --git a/data.py b/data.py
index 3333333..4444444 100644
--- a/data.py
+++ b/data.py
@@ -1 +1,2 @@
 shards = 12
+shuffle = True
"""


def manifest(name: str, image: str, env: str = "0.1", order: str = "") -> str:
    metadata = f"metadata:\n  name: {name}\n"
    spec = f"spec:\n  containers:\n  - name: main\n    image: {image}\n    env:\n    - name: LR\n      value: '{env}'\n"
    return (
        f"apiVersion: v1\nkind: Pod\n{metadata}{spec}" if not order else f"kind: Pod\n{spec}{metadata}apiVersion: v1\n"
    )


def runs() -> tuple[Run, Run]:
    older = make_run(
        "20261201-0900-aaaa",
        "exp-a",
        NOW - 3600,
        manifest=manifest("exp-a", "127.0.0.1:5000/exp/train:0.3"),
        images=("127.0.0.1:5000/exp/train:0.3",),
        phase="Succeeded",
        ended=NOW - 3000,
        node="kwok-node-0",
        params={"containers": {"main": {"env": {"LR": "0.1"}}}, "index": 1},
        requests={"cpu": "1", "memory": "2Gi"},
        code=CodeState("/work/train", commit="abc1234", branch="main", diff=DIFF),
        containers=(ContainerEnd("main", "terminated", 0, "Completed", image_id=f"reg/x@{DIGEST_A}"),),
    )
    newer = make_run(
        "20261201-1000-bbbb",
        "exp-b",
        NOW - 600,
        manifest=manifest("exp-b", "127.0.0.1:5000/exp/train:0.4", env="0.01"),
        images=("127.0.0.1:5000/exp/train:0.4",),
        phase="Failed",
        ended=NOW - 60,
        params={"containers": {"main": {"env": {"LR": "0.01"}}}, "completions": 4},
        requests={"cpu": "1", "gpu": "1"},
        code=CodeState("/work/train", commit="abc1234", branch="main", diff=GIT_DIFF, untracked=("notes.txt",)),
        containers=(ContainerEnd("main", "terminated", 137, "OOMKilled", restarts=2, image_id=DIGEST_B),),
    )
    return older, newer


def section(comparison: Comparison, title: str) -> dict[str, Row]:
    found = next(s for s in comparison.sections if s.title == title)
    return {row.label: row for row in found.rows}


def test_the_older_run_is_a_whichever_order_they_are_given() -> None:
    older, newer = runs()
    for first, second in ((older, newer), (newer, older)):
        comparison = compare_runs(first, second, NOW)
        assert (comparison.left.id, comparison.right.id) == (older.id, newer.id)


def test_facts_side_by_side_with_what_differs() -> None:
    comparison = compare_runs(*runs(), NOW)
    run = section(comparison, "Run")
    assert (run["status"].left, run["status"].right) == ("Succeeded", "Failed (main: OOMKilled, exit 137)")
    assert (run["duration"].left, run["duration"].right) == ("10m", "9m")
    assert (run["node"].left, run["node"].right) == ("kwok-node-0", MISSING)
    assert not run["namespace"].differs and run["name"].differs

    images = section(comparison, "Images")
    assert images["main image"].right == "127.0.0.1:5000/exp/train:0.4"
    assert (images["main digest"].left, images["main digest"].right) == (DIGEST_A, DIGEST_B)

    requests = section(comparison, "Requests")
    assert not requests["cpu"].differs
    assert (requests["memory"].left, requests["memory"].right) == ("2Gi", MISSING)
    assert (requests["gpu"].left, requests["gpu"].right) == (MISSING, "1")

    ends = section(comparison, "Containers")
    assert ends["main"].left == "terminated, exit 0, Completed"
    assert ends["main"].right == "terminated, exit 137, OOMKilled, 2 restarts"

    code = section(comparison, "Code")
    assert not code["commit"].differs and (code["untracked"].left, code["untracked"].right) == ("0 files", "1 file")


def test_params_are_flattened_and_counted() -> None:
    assert flat_params({"containers": {"main": {"env": {"LR": "0.1"}, "args": ["--x", "1"]}}, "index": 3}) == {
        "containers.main.env.LR": "0.1",
        "containers.main.args": '["--x", "1"]',
        "index": "3",
    }
    comparison = compare_runs(*runs(), NOW)
    params = section(comparison, "Params")
    assert (params["containers.main.env.LR"].left, params["containers.main.env.LR"].right) == ("0.1", "0.01")
    assert (params["index"].right, params["completions"].left) == (MISSING, MISSING)
    notes = next(s for s in comparison.sections if s.title == "Params").notes
    assert notes == ("3 of 3 params differ",)
    older, _ = runs()
    same = compare_runs(older, replace(older, id="20261201-0901-cccc"), NOW)
    assert next(s for s in same.sections if s.title == "Params").notes == ("the same 2 params",)


def test_the_manifest_diff_is_unified_and_ignores_key_order() -> None:
    older, newer = runs()
    diff = next(s for s in compare_runs(older, newer, NOW).sections if s.title == "Manifest").diff
    assert diff[0] == f"--- A {older.id}" and diff[1] == f"+++ B {newer.id}" and diff[2].startswith("@@")
    changed = [line for line in diff[2:] if line[:1] in "+-"]
    assert (
        "-    image: 127.0.0.1:5000/exp/train:0.3" in changed and "+    image: 127.0.0.1:5000/exp/train:0.4" in changed
    )
    assert "-  name: exp-a" in changed and "+      value: '0.01'" in changed

    reordered = replace(older, id="20261201-0902-dddd", manifest=manifest("exp-a", older.images[0], order="x"))
    same = next(s for s in compare_runs(older, reordered, NOW).sections if s.title == "Manifest")
    assert same.diff == () and same.notes == ("the manifests are the same",) and not same.differs


def test_a_manifest_that_is_not_yaml_is_diffed_as_text() -> None:
    older, newer = runs()
    broken = replace(newer, manifest="kind: [unclosed\n")
    diff = next(s for s in compare_runs(older, broken, NOW).sections if s.title == "Manifest").diff
    assert "+kind: [unclosed" in diff
    images = section(compare_runs(older, broken, NOW), "Images")
    assert images["image 1"].right == "127.0.0.1:5000/exp/train:0.4"  # the images as recorded instead


def test_the_code_diffs_are_summarised_file_by_file() -> None:
    files = diff_files(GIT_DIFF)
    assert list(files) == ["train.py", "data.py"]
    assert (files["train.py"].added, files["train.py"].removed, files["data.py"].added) == (1, 1, 1)
    assert list(diff_files(DIFF)) == ["train.py"]  # without git's header lines too

    older, newer = runs()
    summary = code_diff_summary(older.code, newer.code)
    assert summary == [
        "uncommitted changes of A: 1 file, +1 -1",
        "uncommitted changes of B: 2 files, +2 -1",
        "changed in B only: data.py",
        "changed in both, differently: train.py",
        "untracked in B only: notes.txt",
    ]
    assert code_diff_summary(newer.code, newer.code) == ["uncommitted changes: the same in both (2 files, +2 -1)"]
    assert code_diff_summary(None, CodeState("/x", content_hash="ab")) == ["uncommitted changes: none in either"]
    alike = CodeState("/w", commit="c", diff=GIT_DIFF.replace("index 1111111..2222222", "index 5555555..2222222"))
    assert code_diff_summary(newer.code, alike) == [  # an index line differs with nothing else: the same change
        "uncommitted changes: the same in both (2 files, +2 -1)",
        "untracked in A only: notes.txt",
    ]
    cut = replace(older.code, note="git diff cut at its first 5.0MB") if older.code else None
    assert code_diff_summary(cut, older.code)[-1] == "A: git diff cut at its first 5.0MB"


def test_a_running_run_counts_its_duration_to_now() -> None:
    older, newer = runs()
    running = replace(newer, phase="Running", ended=None)
    assert section(compare_runs(older, running, NOW), "Run")["duration"].right == "10m so far"


def test_a_removed_line_that_looks_like_a_file_header_stays_in_its_file() -> None:
    """SQL's `-- comment` removed reads `--- comment`; followed by `+++` it looks like the next file's header."""
    diff = (
        "diff --git a/q.sql b/q.sql\nindex 1..2 100644\n--- a/q.sql\n+++ b/q.sql\n"
        "@@ -1,3 +1,3 @@\n--- old comment\n+++ new comment\n select 1;\n-select 2;\n+select 3;\n"
        "\\ No newline at end of file\n"
        "diff --git a/r.sql b/r.sql\n--- a/r.sql\n+++ b/r.sql\n@@ -1 +1 @@\n-a\n+b\n"
    )
    files = diff_files(diff)
    assert list(files) == ["q.sql", "r.sql"]
    assert (files["q.sql"].added, files["q.sql"].removed) == (2, 2)
    assert (files["r.sql"].added, files["r.sql"].removed) == (1, 1)
