"""Tilt builtins as Python methods with Tilt's own parameter names, order and defaults.

Names and order follow the Go `UnpackArgs` calls (tilt internal/tiltfile/*.go), where every
parameter may be given by position or keyword; where the API doc disagrees, Go wins
(`fall_back_on(paths)`, `docker_build(..., cache=...)`, `local_resource(name, cmd=...)` optional).
"""

# ruff: noqa: B006 -- the stubs repeat Tilt's documented `[]`/`{}` defaults; nothing mutates them.
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import starlark as sl

from tests.tilt.tilt_rules import (
    Link,
    Step,
    TiltfileFailure,
    as_list,
    check_labels,
    check_live_update,
    check_only,
    check_syncs,
    version_matches,
)

AUTO, MANUAL = "TRIGGER_MODE_AUTO", "TRIGGER_MODE_MANUAL"


class TiltBuiltins:
    def __init__(self, plan: Any) -> None:
        self.plan = plan
        self.dir = Path(plan.tiltfile).parent

    def builtins(self) -> dict[str, Callable[..., Any]]:
        names = "version_settings k8s_context k8s_namespace allow_k8s_contexts default_registry docker_build"
        names += " fall_back_on sync run initial_sync restart_container link local_resource k8s_resource"
        out = {name: getattr(self, name) for name in (names + " fail warn").split()}
        for kind in ("string", "string_list", "bool"):
            out[f"config.define_{kind}"] = getattr(self, f"define_{kind}")
        return {**out, "config.parse": self.parse, "os.getenv": self.getenv}

    def values(self) -> dict[str, Any]:
        return {
            "TRIGGER_MODE_AUTO": AUTO,
            "TRIGGER_MODE_MANUAL": MANUAL,
            "os.environ": dict(self.plan.env),
            "os.name": "posix",
            "config.main_path": str(self.plan.tiltfile),
            "config.main_dir": str(self.dir),
            "config.tilt_subcommand": "up",
        }

    # -- settings and environment
    def version_settings(self, check_updates=True, constraint=""):
        if constraint and not version_matches(self.plan.tilt_version, constraint):
            raise ValueError(
                f"you are running Tilt {self.plan.tilt_version}; the Tiltfile requires {constraint}"
            )

    def define_string(self, name, args=False, usage=""):
        self.plan.config.define("string", name, args, usage)

    def define_string_list(self, name, args=False, usage=""):
        self.plan.config.define("string_list", name, args, usage)

    def define_bool(self, name, args=False, usage=""):
        self.plan.config.define("bool", name, args, usage)

    def parse(self):
        return self.plan.config.parse(self.plan.config_json, self.plan.args)

    def getenv(self, key, default=None):
        return self.plan.env.get(key, default)

    def fail(self, msg):
        raise TiltfileFailure(msg)

    def warn(self, msg):
        pass

    # -- cluster and registry
    def k8s_context(self):
        return self.plan.context

    def k8s_namespace(self):
        return self.plan.namespace

    def allow_k8s_contexts(self, contexts):
        values = as_list(contexts)
        if not all(isinstance(c, str) for c in values):
            raise ValueError("allow_k8s_contexts contexts must be a string or a sequence of strings")
        self.plan.allowed_contexts += values

    def default_registry(self, host, host_from_cluster=None, single_name=""):
        if self.plan.registry is not None:
            raise ValueError("default registry already defined")
        self.plan.registry = host

    # -- images and live update
    def docker_build(self, ref, context, build_args={}, dockerfile="Dockerfile", dockerfile_contents="",
                     cache="", live_update=[], match_in_env_vars=False, ignore=[], only=[], entrypoint=[],
                     container_args=None, target="", ssh="", secret="", network="", extra_tag="",
                     cache_from=[], pull=False, platform="", extra_hosts=[]):  # fmt: skip
        if ref in self.plan.images:
            raise ValueError(f"Image for ref {ref!r} has already been defined")
        if dockerfile_contents and dockerfile != "Dockerfile":
            raise ValueError("Cannot specify both dockerfile and dockerfile_contents keyword arguments")
        if not dockerfile_contents and not (self.dir / dockerfile).is_file():
            raise ValueError(f"error reading dockerfile {self.dir / dockerfile}")
        steps = check_syncs(check_live_update(as_list(live_update)), self.dir / context)
        self.plan.loose_steps = [s for s in self.plan.loose_steps if all(s is not u for u in steps)]
        self.plan.images[ref] = {**self.plan.calls[-1][1], "only": check_only(only), "live_update": steps}

    def _step(self, kind, *args):
        step = Step(kind, args)
        self.plan.loose_steps.append(step)
        return sl.OpaquePythonObject(step)

    def fall_back_on(self, paths):
        return self._step("fall_back_on", *as_list(paths))

    def sync(self, local_path, remote_path):
        return self._step("sync", local_path, remote_path)

    def run(self, cmd, trigger=[], echo_off=False):
        return self._step("run", cmd, tuple(as_list(trigger)))

    def initial_sync(self):
        return self._step("initial_sync")

    def restart_container(self):
        return self._step("restart_container")

    # -- resources
    def link(self, url, name=None):
        return sl.OpaquePythonObject(Link(url if "://" in url else "http://" + url, name))

    def add_resource(self, name, kind, args):
        if name in self.plan.resources:
            raise ValueError(f"{kind}_resource named {name!r} already exists")
        self.plan.resources[name] = {"type": kind, **args}

    def local_resource(self, name, cmd="", deps=None, trigger_mode=AUTO, resource_deps=[], ignore=[],
                       auto_init=True, serve_cmd="", cmd_bat="", serve_cmd_bat="", allow_parallel=False,
                       links=[], labels=[], env={}, serve_env={}, readiness_probe=None, dir="",
                       serve_dir=""):  # fmt: skip
        if not cmd and not serve_cmd:
            raise ValueError("local_resource must have a cmd and/or a serve_cmd, but both were empty")
        if trigger_mode not in (AUTO, MANUAL):
            raise ValueError(f"invalid trigger_mode {trigger_mode!r}")
        check_labels(labels)
        self.add_resource(name, "local", self.plan.calls[-1][1])

    def k8s_resource(self, workload="", new_name="", port_forwards=[], extra_pod_selectors=[],
                     trigger_mode=AUTO, resource_deps=[], objects=[], auto_init=True, pod_readiness="",
                     links=[], labels=[], discovery_strategy=""):  # fmt: skip
        check_labels(labels)
        if pod_readiness not in ("", "ignore", "wait"):
            raise ValueError(f"invalid pod_readiness {pod_readiness!r}")
        if workload in self.plan.resources:
            self.plan.resources[workload].setdefault("resource_deps", []).extend(as_list(resource_deps))
