"""A new image put into YAML text by changing only the `image:` values concerned, so the file's comments, order and
layout stay as the user wrote them (a YAML dump would lose them). Checked: the changed text must read as the same
manifests with the new image, else None (the caller says so, or falls back to a dump where comments do not matter)."""

from __future__ import annotations

import re

from tui.models.deploy.pod_template import Manifest, ManifestError, parse_manifests, pods_of, replace_image


def replace_image_in_text(text: str, image: str) -> str | None:
    """`text` with `image` where replace_image would put it; `text` itself when nothing changes; None when the
    text cannot be changed in place (broken YAML, an image written in a way not matched here)."""
    try:
        manifests = parse_manifests(text)
    except ManifestError:
        return None
    wanted, replaced = replace_image(manifests, image)
    if not replaced:
        return text
    changed = text
    for old in dict.fromkeys(_old_images(manifests, wanted)):
        pattern = re.compile(r"(\bimage:[ \t]*)(['\"]?)" + re.escape(old) + r"\2(?=[ \t]*(?:[,}#\n]|$))", re.MULTILINE)
        changed = pattern.sub(lambda m: m.group(1) + m.group(2) + image + m.group(2), changed)
    try:
        if parse_manifests(changed) != wanted:
            return None  # another container had the same image, or it was written across lines: not ours to guess
    except ManifestError:
        return None
    return changed


def _old_images(before: list[Manifest], after: list[Manifest]) -> list[str]:
    old: list[str] = []
    for pod_before, pod_after in zip(pods_of(before), pods_of(after), strict=True):
        containers = zip(_containers(pod_before), _containers(pod_after), strict=True)
        old.extend(str(a.get("image", "")) for a, b in containers if a.get("image") != b.get("image"))
    return old


def _containers(pod: Manifest) -> list[Manifest]:
    spec = pod.get("spec")
    containers = spec.get("containers") if isinstance(spec, dict) else None
    return containers if isinstance(containers, list) else []
