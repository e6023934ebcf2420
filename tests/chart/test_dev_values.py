"""values-dev.yaml adds exactly what live update needs, and relaxes nothing else."""

import copy

SOURCE = "/app/src/api"
DEV_ARGS = ["--reload", f"--reload-dir={SOURCE}"]


def mounts_of(container, path):
    return [m for m in container.get("volumeMounts", []) if m["mountPath"] == path]


def volume(spec, name):
    found = [v for v in spec["volumes"] if v["name"] == name]
    assert len(found) == 1, name
    return found[0]


def test_production_has_none_of_the_dev_pieces(prod):
    assert not any(a.startswith("--reload") for a in prod.api["args"])
    assert "initContainers" not in prod.pod_spec
    assert mounts_of(prod.api, SOURCE) == []
    assert [v["name"] for v in prod.pod_spec["volumes"]] == ["tmp"]


def test_dev_uvicorn_reloads_on_changes_in_the_source_dir(prod, dev):
    assert dev.api["args"] == prod.api["args"] + DEV_ARGS


def test_dev_source_dir_is_a_writable_emptydir(dev):
    (mount,) = mounts_of(dev.api, SOURCE)
    assert not mount.get("readOnly", False)
    assert set(volume(dev.pod_spec, mount["name"])) == {"name", "emptyDir"}


def test_dev_init_container_seeds_the_same_volume_from_the_image(dev):
    (seed,) = dev.pod_spec["initContainers"]
    (source_mount,) = mounts_of(dev.api, SOURCE)
    assert seed["command"] == ["cp", "-a", f"{SOURCE}/.", "/seed/"]
    assert seed["volumeMounts"] == [{"name": source_mount["name"], "mountPath": "/seed"}]
    assert seed["image"] == dev.api["image"]
    assert seed["securityContext"] == dev.api["securityContext"]


def test_source_path_moves_mount_reload_dir_and_seed_together(render):
    rendered = render({"api": {"source": {"path": "/srv/api"}}}, dev=True)
    assert "--reload-dir=/srv/api" in rendered.api["args"]
    assert len(mounts_of(rendered.api, "/srv/api")) == 1
    assert rendered.pod_spec["initContainers"][0]["command"][2] == "/srv/api/."


def without_expected_dev_differences(deployment):
    """The dev Deployment minus exactly what values-dev.yaml is meant to add."""
    d = copy.deepcopy(deployment)
    spec = d["spec"]["template"]["spec"]
    (api,) = spec["containers"]
    (source_mount,) = mounts_of(api, SOURCE)
    assert api["args"][-2:] == DEV_ARGS
    del api["args"][-2:]
    api["volumeMounts"].remove(source_mount)
    spec["volumes"].remove(volume(spec, source_mount["name"]))
    del spec["initContainers"]
    return d


def test_nothing_else_differs_from_production(prod, dev):
    stripped = without_expected_dev_differences(dev.deployment)
    assert stripped == prod.deployment
    assert stripped != dev.deployment  # the expected differences were really there
    assert dev.service == prod.service
    assert dev.test_pod == prod.test_pod
