"""Rules Tilt enforces while it loads a Tiltfile, and the small values its builtins return.

Messages are Tilt's own where Tilt has one (internal/tiltfile/live_update.go, docker.go,
local_resource.go, version settings), so a failing test reads like `tilt up` would.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import Version

LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
COMPARATOR = re.compile(r"^(>=|<=|>|<|==|=|!=)?v?(\d+\.\d+\.\d+)$")
OPS = {
    ">=": Version.__ge__,
    "<=": Version.__le__,
    ">": Version.__gt__,
    "<": Version.__lt__,
    "=": Version.__eq__,
    "==": Version.__eq__,
    "!=": Version.__ne__,
}


class TiltfileFailure(Exception):
    """The Tiltfile called fail(msg): Tilt stops and shows msg."""


class TiltfileError(Exception):
    """Tilt itself rejects the Tiltfile (bad argument, wrong step order, unsafe context...)."""


@dataclass(frozen=True)
class Step:
    """A live update step, as sync()/run()/fall_back_on()/... return it."""

    kind: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Link:
    url: str
    name: str | None = None


def as_list(value: Any) -> list[Any]:
    """Tilt's "a string or a list of strings" arguments."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def check_live_update(steps: list[Any]) -> list[Step]:
    """The ordering rules of Tilt's liveUpdateFromSteps (a k8s image: no restart_container)."""
    if not all(isinstance(s, Step) for s in steps):
        raise ValueError("live_update must be a list of live update steps")
    kinds = [s.kind for s in steps]
    for i, kind in enumerate(kinds):
        before = kinds[:i]
        if kind == "initial_sync" and i != 0:
            raise ValueError("initial_sync must appear at most once, at the start of the list")
        if kind == "fall_back_on" and set(before) - {"initial_sync", "fall_back_on"}:
            raise ValueError("fall_back_on steps must appear at the start of the list")
        if kind == "sync" and "run" in before:
            raise ValueError("all sync steps must precede all run steps")
        if kind == "restart_container":
            raise ValueError(
                "`restart_container()` has been deprecated for k8s resources. "
                "We recommend the restart_process extension"
            )
    return list(steps)


def version_matches(version: str, constraint: str) -> bool:
    """blang/semver ranges as Tilt checks them: `A B` means both, `A || B` either."""
    for alternative in constraint.split("||"):
        parts = alternative.split()
        if parts and all(_compare(Version(version), part) for part in parts):
            return True
    return False


def _compare(have: Version, part: str) -> bool:
    match = COMPARATOR.match(part)
    if not match:
        raise ValueError(f"invalid version constraint {part!r}")
    return OPS[match.group(1) or "="](have, Version(match.group(2)))


def check_labels(labels: Any) -> list[str]:
    out = as_list(labels)
    for label in out:
        if not isinstance(label, str) or not LABEL.match(label):
            raise ValueError(f"invalid label {label!r}: alphanumeric at both ends, '-_.' inside, <= 63 chars")
    return out


def check_only(only: Any) -> list[str]:
    out = as_list(only)
    for entry in out:
        if "*" in entry:
            raise ValueError(f"'only' does not support '*' file globs. Must be a real path: {entry}")
    return out


def check_syncs(steps: list[Step], context: Path) -> list[Step]:
    """Each sync copies from inside the build context to an absolute container path."""
    for step in steps:
        if step.kind != "sync":
            continue
        local, remote = (context / step.args[0]).resolve(), step.args[1]
        if local != context.resolve() and context.resolve() not in local.parents:
            raise ValueError(f"sync step source '{step.args[0]}' is not a child of any watched filepaths")
        if not remote.startswith("/"):
            raise ValueError(f"sync destination {remote!r} must be an absolute path")
    return steps


def is_dev_cluster(cluster: str) -> bool:
    """Tilt's clusterid.IsDevCluster, by the kubeconfig *cluster* name of the current context."""
    prefixes = ("minikube", "docker-for-desktop-cluster", "docker-desktop", "kind-", "microk8s-cluster")
    prefixes += ("api-crc-testing", "krucible-", "k3d-", "rancher-desktop", "colima", "orbstack")
    return cluster == "kind" or cluster.startswith(prefixes)


def bind_call(plan: Any, name: str, stub: Callable[..., Any], impl: Callable[..., Any] | None = None):
    """A Starlark-callable builtin: bind like UnpackArgs, record, then run the implementation."""
    signature = inspect.signature(stub)

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            unknown = [key for key in kwargs if key not in signature.parameters]
            if unknown:  # UnpackArgs reports this before any missing argument
                raise TypeError(f"unexpected keyword argument {unknown[0]!r}")
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            plan.calls.append((name, dict(bound.arguments)))
            return (impl or stub)(**bound.arguments)
        except TiltfileFailure as exc:
            plan.failure = str(exc)
            raise
        except Exception as exc:
            plan.error = exc if isinstance(exc, TiltfileError) else TiltfileError(f"{name}: {exc}")
            raise plan.error from exc

    return call
