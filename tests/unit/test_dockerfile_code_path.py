"""Where an image keeps the code, read from its Dockerfile: the default pod folder of code sync (U)."""

from __future__ import annotations

import pytest

from tui.models.project.dockerfile import CodePath, code_path, instructions, words


@pytest.mark.parametrize(
    ("dockerfile", "path", "said"),
    [
        ("FROM python:3.11\nWORKDIR /app\nCOPY preprocess.py .\n", "/app", "WORKDIR /app"),
        ("FROM python\nWORKDIR /app\nCOPY . .\nWORKDIR /app/src\n", "/app", "COPY . ."),
        ("FROM python\nCOPY ./ /srv/code/\n", "/srv/code", "COPY ./ /srv/code/"),
        ("FROM python\nWORKDIR /app\nCOPY --chown=1000:1000 . code\n", "/app/code", "COPY --chown=1000:1000 . code"),
        ('FROM python\nWORKDIR /w\nCOPY [".", "/opt/exp"]\n', "/opt/exp", 'COPY [".", "/opt/exp"]'),
        ("FROM python\nWORKDIR /a\nWORKDIR b\nWORKDIR ../c\n", "/a/c", "WORKDIR ../c"),
        ("FROM python\nADD . /x\n", "/x", "ADD . /x"),
    ],
)
def test_the_last_copy_of_the_build_context_else_the_last_workdir(dockerfile: str, path: str, said: str) -> None:
    assert code_path(dockerfile) == CodePath(path, said)


def test_continuations_and_comments_inside_them_are_read_as_docker_reads_them() -> None:
    dockerfile = "FROM python\n# a comment\nWORKDIR \\\n  # inside the instruction\n  /app\nCOPY \\\n . \\\n  /code\n"
    assert code_path(dockerfile) == CodePath("/code", "COPY . /code")
    steps = list(instructions(dockerfile))
    assert [(s.keyword, s.line) for s in steps] == [("FROM", 1), ("WORKDIR", 3), ("COPY", 6)]


def test_the_escape_directive_changes_the_continuation_character() -> None:
    dockerfile = "# escape=`\nFROM python\nWORKDIR `\n  /app\n"
    assert code_path(dockerfile) == CodePath("/app", "WORKDIR /app")


def test_only_the_final_stage_counts_and_a_stage_built_on_another_carries_its_folders() -> None:
    two_stages = "FROM python AS build\nWORKDIR /src\nCOPY . .\nFROM python:slim\nWORKDIR /run\n"
    assert code_path(two_stages) == CodePath("/run", "WORKDIR /run")
    built_on = "FROM python AS base\nWORKDIR /app\nCOPY . .\nFROM base AS test\nRUN pytest\n"
    assert code_path(built_on) == CodePath("/app", "COPY . .")


def test_copies_of_other_things_are_not_the_code() -> None:
    dockerfile = "FROM python\nCOPY --from=build /src /app\nCOPY requirements.txt setup.py /deps/\nCOPY src /x\n"
    assert code_path(dockerfile).path == ""
    assert code_path("FROM python\nCOPY <<EOF /etc/x\nhi\nEOF\n").path == ""


def test_a_variable_is_said_not_used_and_no_folder_at_all_is_said() -> None:
    found = code_path("FROM python\nARG HOME=/w\nWORKDIR $HOME/app\n")
    assert found.path == "" and found.said == "WORKDIR $HOME/app"
    assert found.problem == "the Dockerfile's WORKDIR $HOME/app names a variable, which is not resolved here"
    assert (
        code_path("FROM python\nRUN true\n").problem == "the Dockerfile has no WORKDIR and no COPY of the build context"
    )


def test_exec_form_arguments_are_json_and_a_broken_array_is_words() -> None:
    assert words('["a b", "c"]') == ["a b", "c"]
    assert words('["a", ') == ['["a",']
