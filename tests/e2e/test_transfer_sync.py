"""Code sync with the app's key (U on a pod): it remembers the folders of the last sync into the pod, the next sync
sends only what changed, and files gone locally are deleted in the pod only when asked and confirmed. The service
alone (what is sent, and a sync cut while sending): tests/integration/test_transfer_sync_service.py."""

from __future__ import annotations

from pathlib import Path

from tests.support.app import SIZE, make_app, pods_info, settle
from tests.support.files import code_folder, digests, without_tool_folders
from tests.support.pods import pod_with_root
from tests.support.stack import StackEnv


async def test_sync_key_remembers_the_folders_and_asks_before_deleting(
    stack: StackEnv, namespace: str, tmp_path: Path
) -> None:
    from textual.widgets import Checkbox, Input, Static

    from tui.screens.common.dialogs import ChoiceScreen
    from tui.screens.common.forms import FormScreen
    from tui.screens.transfer.code_sync import SyncScreen

    root = tmp_path / "pod"
    root.mkdir()
    pod_with_root(stack, namespace, root)
    code = code_folder(tmp_path / "local", files=10)
    pod_code = root / "persistent" / "code"
    app = make_app(stack.kubeconfig, stack.docker_host, namespace=namespace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "1 pod in namespace" in pods_info(app))

        async def sync(delete: bool = False, confirm: bool | None = None, first: bool = False) -> str:
            await pilot.press("U")
            await settle(pilot, lambda: isinstance(app.screen, FormScreen), what="the sync form")
            form = app.screen
            if first:
                form.query_one("#field-local", Input).value = str(code)
                form.query_one("#field-remote", Input).value = str(pod_code)
            else:  # the folders of the last sync into this pod are remembered
                assert form.query_one("#field-local", Input).value == str(code)
                assert form.query_one("#field-remote", Input).value == str(pod_code)
            form.query_one("#field-delete", Checkbox).value = delete
            await pilot.press("ctrl+s")
            if confirm is not None:
                await settle(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the delete question")
                assert isinstance(app.screen, ChoiceScreen) and "pkg/mod_09.py" in app.screen.title_text
                if confirm:
                    await pilot.press(*"Delete", "enter")
                else:
                    await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.finished, timeout=60)
            status = str(app.screen.query_one("#sync-status", Static).content)
            await pilot.press("escape")
            return status

        assert (await sync(first=True)).startswith("synced: 11 files sent")
        (code / "pkg" / "mod_01.py").write_text("changed = True\n")
        (code / "pkg" / "mod_02.py").write_text("changed = True\n")
        assert (await sync()).startswith("synced: 2 files sent")
        assert (await sync()).startswith("already in sync: 11 files unchanged")
        (code / "pkg" / "mod_09.py").unlink()
        assert (await sync(delete=True, confirm=False)).startswith("failed: cancelled: nothing was sent")
        assert (pod_code / "pkg" / "mod_09.py").exists()
        assert "synced: 0 files sent" in await sync(delete=True, confirm=True)
        assert not (pod_code / "pkg" / "mod_09.py").exists()
    assert digests(pod_code) == without_tool_folders(code)
