"""Contracts of live update: where the Tiltfile syncs is where the image, chart and uvicorn look.

Each side is read from its own file (the Tiltfile by executing it, the chart by rendering it
with the exact flags Tilt's helm_resource passes), so changing one side alone fails here.
"""

from __future__ import annotations

import helm_python

from tests.contract.artifacts import ROOT, dockerignore_admits, lookup, uid
from tests.contract.tilt_install import (
    api_container,
    chart_values,
    installed,
    laptop_plan,
    pod_spec,
    sync_step,
    the_chart,
    the_dockerfile,
    the_image,
)
from tests.support import live_update


def test_sync_target_is_where_the_image_puts_the_source():
    local, remote = sync_step(the_image())
    assert the_dockerfile().covering(local)[1] == remote


def test_sync_target_is_the_charts_source_path_and_the_reload_dir():
    _, remote = sync_step(the_image())
    assert lookup(chart_values(), "api.source.path") == remote
    assert live_update.SYNC_TARGET == remote  # where the live-update emulation and benchmark write
    args = api_container(installed(laptop_plan()))["args"]
    assert "--reload" in args
    assert f"--reload-dir={remote}" in args


def test_sync_target_is_writable_by_the_images_user():
    local, remote = sync_step(the_image())
    flags, _ = the_dockerfile().covering(local)
    owner = uid(flags.get("chown", "0"))  # without --chown, COPY leaves root the owner
    objects = installed(laptop_plan())
    container = api_container(objects)
    assert owner == uid(the_dockerfile().last("USER"))
    assert (
        owner
        == container["securityContext"]["runAsUser"]
        == pod_spec(objects)["securityContext"]["runAsUser"]
    )
    # The root filesystem is read-only, so the target must sit on a writable volume mount.
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = [m["mountPath"].rstrip("/") for m in container["volumeMounts"] if not m.get("readOnly")]
    assert any(remote == m or remote.startswith(m + "/") for m in mounts), (remote, mounts)


def test_dev_values_file_exists_and_turns_on_live_update():
    flags = the_chart()["flags"]
    dev = helm_python.values_from_yaml((ROOT / flags[flags.index("--values") + 1]).read_text())
    assert lookup(dev, "api.server.reload") is True
    assert lookup(dev, "api.source.writable") is True


def test_live_update_paths_exist():
    image = the_image()
    fall_back_on = [
        path for step in image["live_update"] if step.kind == "fall_back_on" for path in step.args
    ]
    assert fall_back_on
    assert all((ROOT / path).is_file() for path in fall_back_on), fall_back_on
    local, _ = sync_step(image)
    assert (ROOT / image["context"] / local).is_dir()


def test_only_lets_in_exactly_what_dockerignore_lets_in():
    image = the_image()
    admitted = dockerignore_admits(ROOT / image["context"])
    only = [entry.rstrip("/") for entry in image["only"]]
    assert admitted, ".dockerignore admits nothing"
    for path in admitted:
        assert any(path == e or path.startswith(e + "/") for e in only), f"{path}: not in only={only}"
    for entry in only:
        assert any(path == entry or path.startswith(entry + "/") for path in admitted), entry
