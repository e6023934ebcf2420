"""values-dev.yaml adds exactly what live update needs, and relaxes nothing else."""

import copy
import posixpath
import re

SOURCE = "/app/src/api"  # api.source.path; the Tiltfile syncs src/api here
DEV_ARGS = ["--reload", f"--reload-dir={SOURCE}"]
SEED = re.compile(r"^cp -a (?P<source>/\S+)/\* /seed/$")


def source_mounts(container, path=SOURCE):
    """Mounts at `path` or above it (those that make `path` writable)."""
    return [
        m
        for m in container.get("volumeMounts", [])
        if path == m["mountPath"] or path.startswith(m["mountPath"].rstrip("/") + "/")
    ]


def volume(spec, name):
    found = [v for v in spec["volumes"] if v["name"] == name]
    assert len(found) == 1, name
    return found[0]


def test_production_has_none_of_the_dev_pieces(prod):
    assert not any(a.startswith("--reload") for a in prod.api["args"])
    assert "initContainers" not in prod.pod_spec
    assert source_mounts(prod.api) == []
    assert [v["name"] for v in prod.pod_spec["volumes"]] == ["tmp"]


def test_dev_uvicorn_reloads_on_changes_in_the_source_dir(prod, dev):
    assert dev.api["args"] == prod.api["args"] + DEV_ARGS


def test_dev_source_dir_sits_inside_a_writable_emptydir(dev):
    (mount,) = source_mounts(dev.api)
    assert not mount.get("readOnly", False)
    assert set(volume(dev.pod_spec, mount["name"])) == {"name", "emptyDir"}
    # The volume is the source's parent: the source dir itself is then a copied directory owned
    # by the image's user, so live update's tar can set its mode and mtime.
    assert mount["mountPath"] == posixpath.dirname(SOURCE) == "/app/src"


def test_dev_init_container_seeds_that_volume_from_the_same_image(dev):
    (seed,) = dev.pod_spec["initContainers"]
    (mount,) = source_mounts(dev.api)
    assert seed["command"][:2] == ["sh", "-c"]
    copied = SEED.match(seed["command"][2])
    assert copied, seed["command"]
    assert copied["source"] == mount["mountPath"]  # copies exactly what the volume hides
    assert seed["volumeMounts"] == [{"name": mount["name"], "mountPath": "/seed"}]
    assert seed["image"] == dev.api["image"]
    assert seed["securityContext"] == dev.api["securityContext"]


def test_source_path_moves_mount_reload_dir_and_seed_together(render):
    rendered = render({"api": {"source": {"path": "/srv/app/api"}}}, dev=True)
    assert "--reload-dir=/srv/app/api" in rendered.api["args"]
    assert [m["mountPath"] for m in source_mounts(rendered.api, "/srv/app/api")] == ["/srv/app"]
    assert SEED.match(rendered.pod_spec["initContainers"][0]["command"][2])["source"] == "/srv/app"


def without_expected_dev_differences(deployment):
    """The dev Deployment minus exactly what values-dev.yaml is meant to add."""
    d = copy.deepcopy(deployment)
    spec = d["spec"]["template"]["spec"]
    (api,) = spec["containers"]
    (source_mount,) = source_mounts(api)
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
