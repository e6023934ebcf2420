"""The real tilt for the doctor's sandbox (tests/dev/conftest.py): found on PATH, with the helm_resource
extension Tilt already keeps in its data home (XDG_DATA_HOME, else ~/.local/share); skipped without
them (in CI: failed). The kubeconfig's servers
answer nothing (127.0.0.1:9), and git (Tilt's extension download) never leaves this machine."""

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import engines_required

CONTEXTS = ["kind-astrid", "do-nyc1-astrid", "do-fra1-prod"]
# git's traffic for github.com goes to a closed port on loopback, and so does any proxied request.
OFFLINE = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "url.http://127.0.0.1:9/.insteadOf",
    "GIT_CONFIG_VALUE_0": "https://github.com/",
    "GIT_TERMINAL_PROMPT": "0",
}


def missing(reason: str):
    (pytest.fail if engines_required() else pytest.skip)(reason)


def real_engine(name: str) -> str:
    return shutil.which(name) or missing(f"{name} is not installed")


def extensions() -> Path:
    """Where Tilt keeps its ext:// extensions (github.com/adrg/xdg's data home on Linux)."""
    home = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    modules = Path(home) / "tilt-dev" / "tilt_modules"
    if not (modules / "github.com" / "tilt-dev" / "tilt-extensions" / "helm_resource").is_dir():
        missing(f"Tilt has not downloaded its helm_resource extension into {modules} yet: run make dev once")
    return modules


def with_real_tilt(sandbox, tmp_path: Path):
    """The sandbox with the real tilt, a copy of Tilt's helm_resource extension and a kubeconfig;
    returns use(context, user=None): makes `context` current for Tilt and the kubectl stub alike, its
    user `user` (a kubeconfig `user` entry; default: a token)."""
    sandbox.remove("tilt")
    (sandbox.bin / "tilt").symlink_to(real_engine("tilt"))
    (sandbox.bin / "git").symlink_to(shutil.which("git"))  # Tilt checks the extension's repository
    (sandbox.bin / "sh").symlink_to(shutil.which("sh"))  # Tilt's local() runs commands with sh
    for tool in ("basename", "sed", "uname"):  # git submodule, a script, runs when Tilt syncs to the pin
        (sandbox.bin / tool).symlink_to(shutil.which(tool))
    shutil.copytree(extensions(), tmp_path / "xdg" / "tilt-dev" / "tilt_modules", symlinks=True)
    sandbox.env.update(OFFLINE, XDG_DATA_HOME=str(tmp_path / "xdg"), KUBECONFIG=str(tmp_path / "kubeconfig"))

    def use(context: str, user: dict | None = None) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": context,
            "clusters": [{"name": c, "cluster": {"server": "https://127.0.0.1:9"}} for c in CONTEXTS],
            "users": [{"name": "u", "user": user or {"token": "none"}}],
            "contexts": [{"name": c, "context": {"cluster": c, "user": "u"}} for c in CONTEXTS],
        }
        (tmp_path / "kubeconfig").write_text(json.dumps(config))
        sandbox.env["STUB_CONTEXT"] = context

    use("kind-astrid")
    return use
