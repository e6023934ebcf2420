"""Execute astrid-api's real Tiltfile with starlark-pyo3 against a recording fake of Tilt.

`run_tiltfile(context=..., args=[...], env={...}, config_json=...)` returns a `Plan`: every
builtin call in order, its arguments bound to Tilt's parameter names with defaults filled in,
plus what Tilt derives (registry, allowed contexts, images, resources). Arguments are bound with
`inspect.signature(stub).bind`, so an unknown keyword fails as Tilt's UnpackArgs does.
`fail()` raises TiltfileFailure; anything Tilt itself would reject raises TiltfileError. Both
carry the partial plan as `.plan`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import starlark as sl

from tests.tilt import fake_helm_resource
from tests.tilt.fake_config import Config
from tests.tilt.tilt_builtins import TiltBuiltins
from tests.tilt.tilt_rules import Step, TiltfileError, TiltfileFailure, bind_call, is_dev_cluster

ROOT = Path(__file__).resolve().parents[2]
TILTFILE = ROOT / "Tiltfile"
TILT_VERSION = "0.35.0"
GLOBALS = sl.Globals.extended_by([sl.LibraryExtension.StructType, sl.LibraryExtension.Print])
NAMESPACES = ("config", "os")


def tilt_dialect() -> sl.Dialect:
    """What Tilt's starlark-go accepts: top-level if/for and nested defs, but no f-strings or types."""
    dialect = sl.Dialect.extended()
    dialect.enable_f_strings = False
    dialect.enable_types = sl.DialectTypes.DISABLE
    dialect.enable_positional_only_arguments = False
    return dialect


@dataclass
class Plan:
    context: str
    cluster: str
    env: dict[str, str]
    args: list[str]
    config_json: str | None
    tiltfile: Path
    tilt_version: str = TILT_VERSION
    namespace: str = "default"
    config: Config = field(default_factory=Config)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    registry: str | None = None
    allowed_contexts: list[str] = field(default_factory=list)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    loose_steps: list[Step] = field(default_factory=list)
    failure: str | None = None
    error: Exception | None = None

    def called(self, name: str) -> list[dict[str, Any]]:
        return [args for called, args in self.calls if called == name]

    def one(self, name: str) -> dict[str, Any]:
        found = self.called(name)
        assert len(found) == 1, f"expected one call to {name}, got {len(found)}"
        return found[0]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.resources.items() if r["type"] == kind}

    def helm_command(self, name: str, tag: str = "tilt-0123456789abcdef") -> list[str]:
        """The `helm upgrade --install` that helm_resource `name` runs once Tilt built its images."""
        resource = self.resources[name]
        images = [f"{self.image_ref(dep)}:{tag}" for dep in resource["image_deps"] or []]
        return fake_helm_resource.helm_install_command(resource, self.context, images)

    def image_ref(self, ref: str) -> str:
        """The name Tilt pushes `ref` as: default_registry's rename rules."""
        if not self.registry:
            return ref
        return f"{self.registry}/{ref.replace('/', '_').replace('@', '_')}"


def build_module(plan: Plan) -> sl.Module:
    tilt = TiltBuiltins(plan)
    mod = sl.Module()
    for name, method in tilt.builtins().items():
        mod.add_callable("_" + name.replace(".", "_") if "." in name else name, bind_call(plan, name, method))
    values = tilt.values()
    for name, value in values.items():
        if "." not in name:
            mod[name] = value
    prelude = []
    for ns in NAMESPACES:
        members = [
            f"{n.split('.', 1)[1]}=_{n.replace('.', '_')}" for n in tilt.builtins() if n.startswith(ns + ".")
        ]
        members += [
            f"{n.split('.', 1)[1]}={json.dumps(v)}" for n, v in values.items() if n.startswith(ns + ".")
        ]
        prelude.append(f"{ns} = struct({', '.join(members)})")
    sl.eval(mod, sl.parse("<tilt prelude>", "\n".join(prelude), tilt_dialect()), GLOBALS)
    return mod


def load_extension(plan: Plan, path: str) -> sl.FrozenModule:
    if path != "ext://helm_resource":
        raise TiltfileError(f"the fake Tilt has no extension {path}")
    return fake_helm_resource.module(TiltBuiltins(plan), tilt_dialect(), GLOBALS)


def finish(plan: Plan) -> None:
    """What Tilt checks after the Tiltfile ran."""
    if plan.loose_steps:
        raise TiltfileError(
            f"found {len(plan.loose_steps)} live_update steps that were created but not used in a live_update"
        )
    for name, resource in plan.resources.items():
        for dep in resource.get("resource_deps") or []:
            if dep not in plan.resources:
                raise TiltfileError(f"resource {name} specified a dependency on unknown resource {dep}")
    for call in plan.called("k8s_resource"):
        if call["workload"] not in plan.of_type("k8s"):
            raise TiltfileError(f"k8s_resource: no workload named {call['workload']!r}")
    deploys = bool(plan.of_type("k8s"))
    if deploys and not is_dev_cluster(plan.cluster) and plan.context not in plan.allowed_contexts:
        raise TiltfileError(
            f"Stop! {plan.context} might be production. If you're sure you want to deploy there, "
            f"add: allow_k8s_contexts('{plan.context}') to your Tiltfile."
        )


def run_tiltfile(
    context: str = "kind-astrid",
    args: list[str] | tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    config_json: dict[str, Any] | str | None = None,
    *,
    cluster: str | None = None,
    tiltfile: Path = TILTFILE,
    tilt_version: str = TILT_VERSION,
) -> Plan:
    """`tilt up -- ARGS` on kube context `context`; config_json: tilt_config.json's content (None: absent)."""
    text = json.dumps(config_json) if isinstance(config_json, dict) else config_json
    plan = Plan(context, cluster or context, dict(env or {}), list(args), text, tiltfile, tilt_version)
    try:
        ast = sl.parse(str(tiltfile), tiltfile.read_text(), tilt_dialect())
        sl.eval(build_module(plan), ast, GLOBALS, sl.FileLoader(lambda path: load_extension(plan, path)))
        finish(plan)
    except sl.StarlarkError as exc:
        if plan.failure is not None:
            raise _with_plan(TiltfileFailure(plan.failure), plan) from exc
        raise _with_plan(plan.error or TiltfileError(str(exc)), plan) from exc
    except TiltfileError as exc:
        exc.plan = plan  # type: ignore[attr-defined]
        raise
    return plan


def _with_plan(exc: Exception, plan: Plan) -> Exception:
    exc.plan = plan  # type: ignore[attr-defined]
    return exc
