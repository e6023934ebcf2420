"""`load('ext://helm_resource', 'helm_resource')`, recorded instead of run.

Follows tilt-extensions helm_resource/Tiltfile @82a3895 and its helm-apply-helper.py: the same
signature and defaults, the same checks (equal lengths, unique image_deps, key types), the
TILT_IMAGE_KEY_* env the helper reads, the k8s_resource calls it makes, and the helm command
line the helper would run. The extension tells a `(repo_key, tag_key)` tuple from a list of keys
by `type(key)`; Python receives both as lists, so a Starlark shim records each key's type first.
"""

# ruff: noqa: B006 -- the stub repeats the extension's `[]` defaults; nothing mutates them.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import starlark as sl

from tests.tilt.tilt_rules import bind_call

SHIM = """
def _types(key):
    return [type(k) for k in key] if type(key) == "list" else type(key)

def helm_resource(*args, **kwargs):
    keys = kwargs["image_keys"] if "image_keys" in kwargs else (args[6] if len(args) > 6 else None)
    _helm_resource(args, kwargs, [_types(k) for k in (keys or [])])
"""
PASSED_TO_K8S_RESOURCE = ("resource_deps", "labels", "port_forwards", "pod_readiness", "links")
TUPLE_KEYS = {2: ("REPO", "TAG"), 3: ("REGISTRY", "REPO", "TAG")}  # other lengths set nothing


def helm_resource(
    name,
    chart,
    deps=[],
    release_name="",
    namespace=None,
    image_deps=None,
    image_keys=None,
    flags=None,
    uninstall_flags=None,
    image_selector="",
    container_selector="",
    live_update=None,
    resource_deps=None,
    labels=None,
    port_forwards=[],
    auto_init=True,
    pod_readiness="",
    update_dependencies=False,
    build_dependencies=False,
    links=[],
) -> None:
    """Signature stub: the extension's parameters, in order, with its defaults."""


def image_key_env(image_keys: list[Any], key_types: list[Any], fail: Callable[[str], None]) -> dict[str, str]:
    """The TILT_IMAGE_KEY_* variables the extension hands helm-apply-helper.py."""
    env = {"TILT_IMAGE_COUNT": str(len(image_keys))}
    for i, (key, key_type) in enumerate(zip(image_keys, key_types, strict=True)):
        items = list(zip(key, key_type, strict=True)) if isinstance(key_type, list) else [(key, key_type)]
        env[f"TILT_IMAGE_KEY_COUNT_{i}"] = str(len(items))
        for j, (item, item_type) in enumerate(items):
            if item_type == "string":
                env[f"TILT_IMAGE_KEY_{i}_{j}"] = item
            elif item_type == "tuple":
                for part, value in zip(TUPLE_KEYS.get(len(item), ()), item, strict=False):
                    env[f"TILT_IMAGE_KEY_{part}_{i}_{j}"] = value
            else:
                fail(f"invalid argument to image_keys at {i}: {item_type}")
    return env


def check(args: dict[str, Any], key_types: list[Any], fail: Callable[[str], None]) -> dict[str, str]:
    """The extension's own checks; returns the image key env."""
    image_deps, image_keys = args["image_deps"] or [], args["image_keys"] or []
    if len(image_deps) != len(image_keys):
        fail(
            "image_deps and image_keys must have the same length, "
            "so that we know how to inject images into the helm chart;"
        )
    seen: set[str] = set()
    for dep in image_deps:
        if dep in seen:
            fail(f"helm_resource: image_deps should be unique. Found duplicate: {dep}\n")
        seen.add(dep)
    return image_key_env(image_keys, key_types, fail)


def image_set_flags(env: dict[str, str], i: int, image: str) -> list[str]:
    """helm-apply-helper.py's `--set` flags for image i, built as `image` (the ref Tilt pushed)."""
    out: list[str] = []
    for j in range(int(env[f"TILT_IMAGE_KEY_COUNT_{i}"])):
        if key := env.get(f"TILT_IMAGE_KEY_{i}_{j}"):
            out += ["--set", f"{key}={image}"]
            continue
        registry_key, repo_key, tag_key = (env.get(f"TILT_IMAGE_KEY_{p}_{i}_{j}", "") for p in TUPLE_KEYS[3])
        registry = None
        rest = image
        if "." in image or "localhost" in image or image.count(":") > 1:
            registry, rest = image.split("/", 1)
        repo, tag = rest.rsplit(":", 1)
        if registry and registry_key:
            out += ["--set", f"{registry_key}={registry}", "--set", f"{repo_key}={repo}"]
        else:
            out += ["--set", f"{repo_key}={registry + '/' + repo if registry else repo}"]
        out += ["--set", f"{tag_key}={tag}"]
    return out


def helm_install_command(resource: dict[str, Any], context: str, images: list[str]) -> list[str]:
    """The `helm upgrade --install` that helm-apply-helper.py runs, given the built image refs."""
    cmd = ["helm", "--kube-context", context, "upgrade", "--install", *(resource["flags"] or [])]
    for i, image in enumerate(images):
        cmd += image_set_flags(resource["image_env"], i, image)
    if resource["namespace"]:
        cmd += ["--namespace", resource["namespace"]]
    return [*cmd, resource["release_name"] or resource["name"], resource["chart"]]


def module(tilt: Any, dialect: sl.Dialect, globals_: sl.Globals) -> sl.FrozenModule:
    """The loaded extension: the Starlark shim over `record`."""
    ext = sl.Module()
    ext.add_callable("_helm_resource", lambda args, kwargs, key_types: record(tilt, args, kwargs, key_types))
    sl.eval(ext, sl.parse("ext://helm_resource", SHIM, dialect), globals_)
    return ext.freeze()


def record(tilt: Any, args: list[Any], kwargs: dict[str, Any], key_types: list[Any]) -> None:
    """helm_resource(*args, **kwargs): checked, recorded, and its k8s_resource calls made."""

    def body(**a: Any) -> None:
        env = check(a, key_types, tilt.fail)
        tilt.add_resource(a["name"], "k8s", {**a, "resource_deps": [], "image_env": env})
        k8s_resource = bind_call(tilt.plan, "k8s_resource", tilt.k8s_resource)
        passed = {key: a[key] for key in PASSED_TO_K8S_RESOURCE if a[key]}
        if not a["auto_init"]:
            passed["auto_init"] = False
        for key, value in passed.items():  # one call per setting, as the extension does
            k8s_resource(a["name"], **{key: value})

    bind_call(tilt.plan, "helm_resource", helm_resource, body)(*args, **kwargs)
