"""Code sync (U on a pod) starts where the image keeps the code, and says where that came from: k8sx.yaml's
`paths.code`, else the Dockerfile's last `COPY .` of the build context or WORKDIR (the project's Dockerfile, or the
working directory's). The app's own folders (./results where pulls land, partial folders) are neither sent nor, in the
pod, counted as deleted here. Through the real API server (kwok runs the pod's commands on this machine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, Static

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv
from tui.app import K8sxApp
from tui.screens.common.dialogs import ChoiceScreen
from tui.screens.common.forms import FormScreen
from tui.screens.transfer.code_sync import SyncScreen

PROJECT = "image: team/train\nregistry: 127.0.0.1:5000\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory the app starts in, and a state folder of the test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


async def sync_form(pilot: object, app: K8sxApp) -> tuple[str, str, str]:
    """U: the form's local folder, pod folder and the pod folder's label."""
    await pilot.press("U")  # type: ignore[attr-defined]
    await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the sync form")  # type: ignore[arg-type]
    labels = " ".join(str(label.content) for label in app.screen.query(Label))
    local = app.screen.query_one("#field-local", Input).value
    return local, app.screen.query_one("#field-remote", Input).value, labels


async def test_the_dockerfiles_workdir_is_the_default_and_results_are_neither_sent_nor_deleted(
    stack: StackEnv, namespace: str, tmp_path: Path, work: Path
) -> None:
    root = tmp_path / "pod"
    app_dir = root / "app"
    write(app_dir, {"old.py": "gone here\n", "results/run1/out.json": '{"loss": 1}\n'})
    pod_with_root(stack, namespace, root)
    write(
        work,
        {
            "Dockerfile": f"FROM python:3.11-slim\n# the code\nWORKDIR \\\n  {app_dir}\nCOPY train.py .\n",
            "train.py": "print('train')\n",
            "pkg/model.py": "LAYERS = 3\n",
            "results/exp/metrics.json": '{"loss": 0.2}\n',  # pulled earlier (r): results, not code
            ".exp.k8sx-partial-0123456789/metrics.json": "{}\n",  # a cut pull's hidden folder
        },
    )

    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        local, remote, labels = await sync_form(pilot, app)
        assert (local, remote) == (str(work), str(app_dir))
        assert f"(from Dockerfile WORKDIR {app_dir})" in labels, labels
        assert "results/ (where pulls land) and partial folders" in labels, labels
        app.screen.query_one("#field-delete").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the delete question")
        assert isinstance(app.screen, ChoiceScreen)
        assert "old.py" in app.screen.title_text and "results" not in app.screen.title_text, app.screen.title_text
        await pilot.press(*"Delete", "enter")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.finished, timeout=60)
        status = str(app.screen.query_one("#sync-status", Static).content)
        assert status.startswith("synced: 3 files sent") and "1 deleted" in status, status
        await pilot.press("escape")

        _, _, labels = await sync_form(pilot, app)
        assert "(from the last sync into this pod)" in labels, labels
    pod_files = sorted(p.relative_to(app_dir).as_posix() for p in app_dir.rglob("*") if p.is_file())
    assert pod_files == ["Dockerfile", "pkg/model.py", "results/run1/out.json", "train.py"]


async def test_the_projects_build_context_and_its_dockerfiles_copy_are_the_default(
    stack: StackEnv, namespace: str, tmp_path: Path, work: Path
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    code = root / "srv" / "code"
    write(
        work,
        {
            "k8sx.yaml": PROJECT + "build: {context: src, dockerfile: train.Dockerfile}\n",
            "src/train.Dockerfile": f'FROM python:3.11-slim AS base\nWORKDIR /tmp\nCOPY [".", "{code}"]\nFROM base\n',
            "src/train.py": "print('train')\n",
        },
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        local, remote, labels = await sync_form(pilot, app)
        assert (local, remote) == (str(work / "src"), str(code))
        assert f'(from train.Dockerfile COPY [".", "{code}"])' in labels, labels
        await pilot.press("escape")

        (work / "src" / "train.Dockerfile").write_text("FROM python:3.11-slim\nARG HOME\nWORKDIR $HOME\n")
        local, remote, labels = await sync_form(pilot, app)
        assert remote == "/persistent/code"
        assert "(from the default: the Dockerfile's WORKDIR $HOME names a variable, which is not resolved here)" in (
            labels
        ), labels


async def test_k8sx_yaml_paths_code_wins_over_the_dockerfile(
    stack: StackEnv, namespace: str, tmp_path: Path, work: Path
) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    write(
        work,
        {
            "k8sx.yaml": PROJECT + f"paths: {{code: {root / 'code'}}}\n",
            "Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\n",
        },
    )
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))
        _, remote, labels = await sync_form(pilot, app)
        assert remote == str(root / "code") and "(from k8sx.yaml paths.code)" in labels, labels
