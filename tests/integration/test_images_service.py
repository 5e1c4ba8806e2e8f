"""Images end to end against the real dockerd and registries of the local stack: Dockerfile builds, interactive
builds committed from a container, pushes with per-layer progress, pulls by digest, and registry credentials.

Every test uses its own docker config dir (never this machine's ~/.docker) and unique image names.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import NotFound

from tests.support.docker_config import basic, write_config, write_credential_helper
from tests.support.engine_relay import SeverableEngine
from tests.support.images import busybox_context
from tests.support.stack import StackEnv, wait_for
from tui.models.images.image import (
    BuildEvent,
    BuildFailed,
    BuildFinished,
    BuildLog,
    BuildStep,
    CopyProgress,
    ImageRef,
    PushProgress,
)
from tui.services.docker.engine_stream import ImageError
from tui.services.images.images import BUILD_CONTAINER_PREFIX, ImageService
from tui.services.images.registry_auth import RegistryAuth, registry_has_tag


@pytest.fixture(scope="module")
def client(stack: StackEnv) -> Iterator[docker.DockerClient]:
    engine = docker.DockerClient(base_url=stack.docker_host, timeout=60)
    yield engine
    engine.close()


@pytest.fixture
def names(client: docker.DockerClient) -> Iterator[list[str]]:
    """Images a test creates, by name or id; removed afterwards, also when the test fails."""
    created: list[str] = []
    yield created
    for name in created:
        with contextlib.suppress(NotFound):
            client.api.remove_image(name, force=True)


def unique(repository: str, tag: str = "1") -> str:
    return f"{repository}/{uuid.uuid4().hex[:10]}:{tag}"


@pytest.fixture(scope="module")
def base_image(client: docker.DockerClient) -> Iterator[str]:
    name = unique("k8sx-test/busybox")
    client.images.build(fileobj=busybox_context(), custom_context=True, tag=name, rm=True)
    yield name
    client.api.remove_image(name, force=True)


@pytest.fixture
def service(client: docker.DockerClient, tmp_path: Path) -> ImageService:
    return ImageService(client, str(tmp_path / "docker-config"))


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def run(client: docker.DockerClient, image: str, *command: str) -> str:
    output = client.containers.run(image, list(command) or None, remove=True)
    assert isinstance(output, bytes)
    return output.decode()


def step_images(events: list[BuildEvent]) -> list[str]:
    """The images the steps of an uncached build made (` ---> 5acc98c20ec2` after every step but FROM): a failed
    build leaves them untagged, as cache for the next attempt."""
    return [
        event.text.removeprefix(" ---> ")
        for event in events
        if isinstance(event, BuildLog) and (event.step or 0) > 1 and re.fullmatch(r" ---> [0-9a-f]{12}", event.text)
    ]


# -- Dockerfile builds -------------------------------------------------------------------------------------


def test_a_build_reports_every_step_uses_build_args_and_leaves_out_what_dockerignore_lists(
    service: ImageService, client: docker.DockerClient, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    context = write_files(
        tmp_path / "project",
        {
            "Dockerfile": (
                "ARG BASE\nFROM ${BASE}\nARG GREETING=hello\nCOPY . /project/\n"
                'RUN echo "greeting=$GREETING" && echo "$GREETING" > /greeting\nCMD ["cat", "/greeting"]\n'
            ),
            ".dockerignore": "data/\n*.ckpt\n",
            "train.py": "print('training')\n",
            "data/huge.csv": "x,y\n" * 1000,
            "model.ckpt": b"\0" * 1000,
        },
    )
    ref = ImageRef.parse(unique("127.0.0.1:5000/k8sx-test/build"))
    names.append(str(ref))

    events = list(service.build(context, tag=ref, buildargs={"BASE": base_image, "GREETING": 'bonjour "monde"'}))

    steps = [event for event in events if isinstance(event, BuildStep)]
    assert [(step.number, step.total) for step in steps] == [(n, 6) for n in range(1, 7)]
    assert steps[3].instruction == "COPY . /project/"
    assert BuildLog('greeting=bonjour "monde"', 5) in events
    finished = events[-1]
    assert isinstance(finished, BuildFinished) and finished.ref == ref
    assert service.inspect(str(ref)).image.image_id == finished.image_id
    assert run(client, str(ref)) == 'bonjour "monde"\n'
    assert run(client, str(ref), "ls", "-A", "/project").split() == [".dockerignore", "Dockerfile", "train.py"]


def test_a_target_stops_the_build_at_that_stage_for_the_platform_asked(
    service: ImageService, client: docker.DockerClient, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    context = write_files(
        tmp_path / "ctx",
        {
            "Dockerfile": (
                f"FROM {base_image} AS prepare\nRUN echo prepare > /stage\n"
                "FROM prepare AS train\nRUN echo train > /stage\n"
            )
        },
    )
    ref = ImageRef.parse(unique("k8sx-test/target"))
    names.append(str(ref))

    finished = list(service.build(context, tag=ref, target="prepare", platform="linux/amd64"))[-1]

    assert isinstance(finished, BuildFinished), finished
    assert run(client, str(ref), "cat", "/stage") == "prepare\n"
    assert service.inspect(str(ref)).platform == "linux/amd64"


def test_a_dockerfile_syntax_error_names_the_line_and_keeps_the_image_the_tag_had(
    service: ImageService, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    ref = ImageRef.parse(unique("k8sx-test/syntax"))
    names.append(str(ref))
    good = write_files(tmp_path / "good", {"Dockerfile": f"FROM {base_image}\nRUN echo v1 > /version\n"})
    finished = list(service.build(good, tag=ref))[-1]
    assert isinstance(finished, BuildFinished)

    broken = write_files(tmp_path / "broken", {"Dockerfile": f"FROM {base_image}\nFORM typo\n"})
    events = list(service.build(broken, tag=ref))

    assert events == [BuildFailed("Dockerfile syntax error line 2: unknown instruction: FORM", None, ())]
    assert service.inspect(str(ref)).image.image_id == finished.image_id


def test_copy_of_a_missing_file_fails_at_its_step(
    service: ImageService, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    context = write_files(
        tmp_path / "ctx", {"Dockerfile": f"FROM {base_image}\nRUN echo preparing\nCOPY weights.bin /model/\n"}
    )
    events = list(service.build(context, nocache=True))
    names.extend(step_images(events))

    failed = events[-1]
    assert isinstance(failed, BuildFailed)
    assert failed.step == BuildStep(3, 3, "COPY weights.bin /model/")
    assert failed.message.startswith("step 3/3 (COPY weights.bin /model/) failed: COPY failed: file not found")
    assert "preparing" in [event.text for event in events if isinstance(event, BuildLog)]


def test_a_failing_run_step_carries_its_own_output_and_exit_code(
    service: ImageService, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    context = write_files(
        tmp_path / "ctx",
        {"Dockerfile": f"FROM {base_image}\nRUN echo earlier step\nRUN echo to stdout; echo to stderr >&2; exit 3\n"},
    )
    events = list(service.build(context, nocache=True))
    names.extend(step_images(events))
    failed = events[-1]

    assert isinstance(failed, BuildFailed)
    assert failed.step is not None and failed.step.number == 3
    assert "returned a non-zero code: 3" in failed.message
    assert "to stdout" in failed.output and "to stderr" in failed.output  # stderr's colour codes are gone
    assert "earlier step" not in failed.output
    assert not [line for line in failed.output if line.startswith(" ---> ")]


def test_a_missing_context_or_dockerfile_fails_before_anything_is_sent(service: ImageService, tmp_path: Path) -> None:
    assert list(service.build(tmp_path / "nowhere")) == [
        BuildFailed(f"the build context {tmp_path / 'nowhere'} does not exist", None, ())
    ]
    write_files(tmp_path / "code", {"train.py": ""})
    assert list(service.build(tmp_path / "code")) == [
        BuildFailed(f"no Dockerfile at {tmp_path / 'code' / 'Dockerfile'}", None, ())
    ]


def _started_build(service: ImageService, context: Path, base_image: str) -> tuple[Iterator[BuildEvent], str]:
    """A build whose RUN step is sleeping, and the id of the container running that step."""
    write_files(context, {"Dockerfile": f"FROM {base_image}\nRUN echo started; sleep 60; echo never\n"})
    build = service.build(context, nocache=True)
    container_id = ""
    for event in build:
        if isinstance(event, BuildLog) and event.text.startswith(" ---> Running in "):
            container_id = event.text.removeprefix(" ---> Running in ")
        if isinstance(event, BuildLog) and event.text == "started":
            return build, container_id
    raise AssertionError("the build never started its RUN step")


def test_cancelling_a_build_closes_the_connection_and_the_engine_stops_the_step(
    service: ImageService, client: docker.DockerClient, base_image: str, tmp_path: Path
) -> None:
    build, step_container = _started_build(service, tmp_path / "ctx", base_image)
    assert client.api.inspect_container(step_container)["State"]["Running"]

    threading.Timer(0.5, build.cancel).start()  # from another thread, as the UI does
    rest: list[BuildEvent] = []
    reader = threading.Thread(target=lambda: rest.extend(build), daemon=True)
    reader.start()
    reader.join(timeout=30)  # a wait, not a speed: left alone, the step sleeps 60 s
    assert not reader.is_alive(), "cancel() did not end the build's events"
    assert not [event for event in rest if isinstance(event, BuildFinished | BuildFailed)]

    def step_container_gone() -> bool:
        try:
            client.api.inspect_container(step_container)
        except NotFound:
            return True
        return False

    wait_for(step_container_gone, timeout=15, what="dockerd to remove the cancelled step's container")


def test_the_engine_going_away_mid_build_is_told_in_words_with_the_step_it_was_in(
    stack: StackEnv, base_image: str, tmp_path: Path
) -> None:
    relay = SeverableEngine(stack.docker_host.removeprefix("unix://"))
    relayed = docker.DockerClient(base_url=f"unix://{relay.path}", timeout=60)
    try:
        build, _ = _started_build(ImageService(relayed, str(tmp_path / "docker-config")), tmp_path / "ctx", base_image)
        relay.cut()
        rest = list(build)
    finally:
        relayed.close()

    failed = rest[-1]
    assert isinstance(failed, BuildFailed)
    assert failed.message.startswith("step 2/2 (RUN echo started; sleep 60; echo never) failed: lost the connection")
    assert failed.message.endswith("(is dockerd up?)")
    assert failed.output == ("started",)


def test_a_build_against_an_engine_that_is_not_there_says_so(tmp_path: Path) -> None:
    absent = docker.DockerClient(base_url=f"unix://{tmp_path}/docker.sock", version="1.41")
    write_files(tmp_path / "ctx", {"Dockerfile": "FROM scratch\n"})
    events = list(ImageService(absent, str(tmp_path / "docker-config")).build(tmp_path / "ctx"))
    assert events == [BuildFailed("cannot reach the Docker engine: no such socket (is dockerd running?)", None, ())]


# -- interactive builds ------------------------------------------------------------------------------------


def test_an_interactive_build_commits_the_copied_code_and_what_was_installed_with_its_run_settings(
    service: ImageService, client: docker.DockerClient, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    code = write_files(
        tmp_path / "code",
        {"train.py": "print('epoch 1')\n", "conf/params.yaml": "lr: 0.1\n", "weights.bin": os.urandom(3 << 20)},
    )
    (code / "empty-dir").mkdir()
    (code / "latest.yaml").symlink_to("conf/params.yaml")
    ref = ImageRef.parse(unique("127.0.0.1:5000/k8sx-test/interactive"))
    names.append(str(ref))

    box = service.start_build_container(base_image)
    try:
        assert box.name.startswith(BUILD_CONTAINER_PREFIX)
        assert client.api.inspect_container(box.container_id)["State"]["Running"]
        progress: list[CopyProgress] = []
        sent = service.copy_into(box.container_id, code, "/work/app", on_progress=progress.append)
        assert progress[-1] == CopyProgress(sent, sent, "", 7, 7)  # ".", 5 entries at the top, 1 in conf
        assert len(progress) >= 3  # the 3 MiB file went out in pieces, each reported
        assert [p.sent_bytes for p in progress] == sorted(p.sent_bytes for p in progress)

        installed = client.containers.get(box.container_id).exec_run(
            ["sh", "-c", "cd /work/app && sha1sum weights.bin > installed.txt && ls -A"]
        )
        assert installed.exit_code == 0
        assert installed.output.decode().split() == [
            "conf",
            "empty-dir",
            "installed.txt",
            "latest.yaml",
            "train.py",
            "weights.bin",
        ]

        image_id = service.commit(
            box.container_id,
            ref,
            cmd=["sh", "-c", 'cat train.py latest.yaml installed.txt; echo "mode=$MODE"'],
            workdir="/work/app",
            env={"MODE": 'fast $HOME "quoted"'},
        )
    finally:
        service.remove_container(box.container_id)

    details = service.inspect(str(ref))
    assert details.image.image_id == image_id
    assert (details.entrypoint, details.workdir) == ((), "/work/app")
    assert 'MODE=fast $HOME "quoted"' in details.env
    output = run(client, str(ref)).splitlines()
    assert output[:2] == ["print('epoch 1')", "lr: 0.1"]
    assert output[2].endswith("  weights.bin")
    assert output[3] == 'mode=fast $HOME "quoted"'
    with pytest.raises(NotFound):
        client.api.inspect_container(box.container_id)
    service.remove_container(box.container_id)  # removing twice is fine: cleanup code need not know


def test_the_keep_alive_command_never_leaks_into_the_committed_image(
    service: ImageService, client: docker.DockerClient, tmp_path: Path, names: list[str]
) -> None:
    base = unique("k8sx-test/with-entrypoint")
    names.append(base)
    context = busybox_context('ENTRYPOINT ["echo", "entry:"]\nCMD ["default"]\n')
    client.images.build(fileobj=context, custom_context=True, tag=base, rm=True)
    ref = ImageRef.parse(unique("k8sx-test/committed"))
    names.append(str(ref))

    box = service.start_build_container(base)
    try:
        service.commit(box.container_id, ref)
    finally:
        service.remove_container(box.container_id)

    details = service.inspect(str(ref))
    assert (details.entrypoint, details.cmd) == (("echo", "entry:"), ("default",))
    assert run(client, str(ref)) == "entry: default\n"


def test_a_build_container_from_a_missing_image_or_without_the_shell_is_refused_and_nothing_is_left(
    service: ImageService, client: docker.DockerClient, base_image: str
) -> None:
    def build_containers() -> list[str]:
        return [c["Id"] for c in client.api.containers(all=True, filters={"name": BUILD_CONTAINER_PREFIX})]

    before = build_containers()
    with pytest.raises(ImageError, match=r"cannot create a container from k8sx-test/absent:1: No such image"):
        service.start_build_container("k8sx-test/absent:1")
    with pytest.raises(ImageError, match=r"cannot start /bin/bash in .*: .*/bin/bash"):
        service.start_build_container(base_image, shell="/bin/bash")
    assert build_containers() == before


# -- local images ------------------------------------------------------------------------------------------


def test_the_image_list_shows_a_built_image_until_it_is_removed(
    service: ImageService, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    ref = ImageRef.parse(unique("k8sx-test/listed"))
    names.append(str(ref))
    context = write_files(tmp_path / "ctx", {"Dockerfile": f"FROM {base_image}\nRUN echo {ref.tag} > /id\n"})
    finished = list(service.build(context, tag=ref))[-1]
    assert isinstance(finished, BuildFinished)

    row = next(image for image in service.list_images() if image.image_id == finished.image_id)
    assert row.tags == (str(ref).removeprefix("docker.io/"),)  # dockerd shows Docker Hub names short
    assert row.short_id == finished.image_id.removeprefix("sha256:")[:12]
    assert row.size_bytes > 1_000_000  # busybox itself

    service.remove(str(ref))
    assert finished.image_id not in [image.image_id for image in service.list_images()]
    with pytest.raises(ImageError, match=r"cannot inspect .*No such image"):
        service.inspect(str(ref))


# -- pushes and pulls --------------------------------------------------------------------------------------


def _image_with_a_fresh_layer(service: ImageService, base_image: str, context: Path, ref: ImageRef) -> str:
    """An image whose top layer the registry has never seen (2 MiB of random bytes), so pushes do real work."""
    write_files(context, {"Dockerfile": f"FROM {base_image}\nRUN head -c 2097152 /dev/urandom > /blob\n"})
    finished = list(service.build(context, tag=ref, nocache=True))[-1]
    assert isinstance(finished, BuildFinished), finished
    return finished.image_id


def test_a_push_shows_each_layer_and_the_digest_pulls_the_same_image_back(
    service: ImageService, client: docker.DockerClient, stack: StackEnv, base_image: str, tmp_path: Path,
    names: list[str],
) -> None:  # fmt: skip
    ref = ImageRef.parse(unique(f"{stack.registry}/k8sx-test/pushed"))
    names.append(str(ref))
    image_id = _image_with_a_fresh_layer(service, base_image, tmp_path / "ctx", ref)
    assert registry_has_tag(ref, None) is False

    snapshots = list(service.push(ref))

    uploading = [layer for s in snapshots for layer in s.layers if layer.status == "Pushing" and layer.current_bytes]
    assert uploading and all(layer.total_bytes for layer in uploading)
    last = snapshots[-1]
    assert last.layers_done == len(last.layers) == 3  # busybox, its links, the fresh blob
    assert last.status.startswith(f"{ref.tag}: digest: {last.digest}")
    pushed = last.finished_ref
    assert pushed is not None and pushed.digest is not None and pushed.digest.startswith("sha256:")
    assert registry_has_tag(ref, None) is True
    assert registry_has_tag(ref.with_tag("never-pushed"), None) is False

    client.api.remove_image(str(ref))
    pulled = list(service.pull(pushed))

    assert any(layer.status == "Pull complete" for layer in pulled[-1].layers)
    assert pulled[-1].digest == pushed.digest
    assert service.inspect(str(pushed)).image.image_id == image_id
    names.append(str(pushed))


def _push_error(service: ImageService, ref: ImageRef) -> str:
    with pytest.raises(ImageError) as raised:
        list(service.push(ref))
    return str(raised.value)


def test_a_push_with_a_wrong_password_says_unauthorized_and_keeps_the_local_image(
    client: docker.DockerClient, stack: StackEnv, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    ref = ImageRef.parse(unique(f"{stack.auth_registry}/k8sx-test/guarded"))
    names.append(str(ref))
    client.api.tag(base_image, ref.name, ref.tag)
    wrong = write_config(tmp_path / "wrong", {"auths": {stack.auth_registry: {"auth": basic("k8sx", "nope")}}})

    message = _push_error(ImageService(client, str(wrong)), ref)

    assert message.startswith(f"unauthorized: {stack.auth_registry} did not accept the credentials")
    assert client.images.get(str(ref)).id == client.images.get(base_image).id
    nobody = ImageService(client, str(tmp_path / "empty"))
    assert _push_error(nobody, ref).startswith(f"unauthorized: no credentials for {stack.auth_registry}")


def test_a_push_with_the_password_from_config_json_succeeds(
    client: docker.DockerClient, stack: StackEnv, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    login = {"auth": basic(stack.auth_registry_user, stack.auth_registry_password)}
    service = ImageService(client, str(write_config(tmp_path / "docker", {"auths": {stack.auth_registry: login}})))
    ref = ImageRef.parse(unique(f"{stack.auth_registry}/k8sx-test/guarded"))
    names.append(str(ref))
    _image_with_a_fresh_layer(service, base_image, tmp_path / "ctx", ref)

    last: PushProgress = list(service.push(ref))[-1]

    assert last.finished_ref is not None
    auth = RegistryAuth(stack.auth_registry, stack.auth_registry_user, stack.auth_registry_password)
    assert registry_has_tag(ref, auth) is True
    assert registry_has_tag(ref, None) is None  # without credentials the registry will not say


def test_a_push_with_credentials_from_a_credential_helper_succeeds(
    client: docker.DockerClient, stack: StackEnv, base_image: str, tmp_path: Path, names: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    bin_dir = tmp_path / "bin"
    calls = write_credential_helper(
        bin_dir, "k8sxtest", {stack.auth_registry: (stack.auth_registry_user, stack.auth_registry_password)}
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    config = write_config(tmp_path / "docker", {"credHelpers": {stack.auth_registry: "k8sxtest"}})
    service = ImageService(client, str(config))
    ref = ImageRef.parse(unique(f"{stack.auth_registry}/k8sx-test/helped"))
    names.append(str(ref))
    client.api.tag(base_image, ref.name, ref.tag)

    last = list(service.push(ref))[-1]

    assert last.digest is not None and last.digest.startswith("sha256:")
    assert calls.read_text() == f"get {stack.auth_registry}\n"


def test_a_build_pulls_a_private_base_image_with_the_credentials_of_its_config(
    client: docker.DockerClient, stack: StackEnv, base_image: str, tmp_path: Path, names: list[str]
) -> None:
    login = {"auth": basic(stack.auth_registry_user, stack.auth_registry_password)}
    service = ImageService(client, str(write_config(tmp_path / "docker", {"auths": {stack.auth_registry: login}})))
    private_base = ImageRef.parse(unique(f"{stack.auth_registry}/k8sx-test/private-base"))
    names.append(str(private_base))
    client.api.tag(base_image, private_base.name, private_base.tag)
    list(service.push(private_base))
    client.api.remove_image(str(private_base))

    context = write_files(tmp_path / "ctx", {"Dockerfile": "ARG BASE\nFROM $BASE\nRUN echo on top\n"})
    events = list(service.build(context, buildargs={"BASE": str(private_base)}, nocache=True))

    assert isinstance(events[-1], BuildFinished), events[-1]
    names.append(events[-1].image_id)


def test_a_push_to_a_registry_host_that_does_not_exist_says_so(
    service: ImageService, client: docker.DockerClient, base_image: str, names: list[str]
) -> None:
    ref = ImageRef.parse(unique("no-such-registry.invalid:5000/k8sx-test/lost"))
    names.append(str(ref))
    client.api.tag(base_image, ref.name, ref.tag)

    message = _push_error(service, ref)

    assert message.startswith("registry host no-such-registry.invalid:5000 not found (its name does not resolve)")
    assert client.images.get(str(ref)).id == client.images.get(base_image).id


def test_pushing_a_tag_that_was_never_built_says_there_is_no_such_local_image(
    service: ImageService, stack: StackEnv
) -> None:
    ref = ImageRef.parse(unique(f"{stack.registry}/k8sx-test/never-built"))
    assert _push_error(service, ref).startswith(f"there is no local image {ref}: build or tag it first")


def test_pulling_a_tag_the_registry_does_not_have_says_so(service: ImageService, stack: StackEnv) -> None:
    ref = ImageRef.parse(unique(f"{stack.registry}/k8sx-test/never-pushed"))
    with pytest.raises(ImageError, match=rf"^{ref} is not in {stack.registry} \[engine: manifest for"):
        list(service.pull(ref))
