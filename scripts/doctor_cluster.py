"""The doctor's view of the cluster: what Tilt plans there (`tilt alpha tiltfile-result`), the registry
login, the namespace and the pull secret; and the two helpers scripts/doctor.py shares."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from doctor_access import LAPTOP, unanswered

ROOT = Path(__file__).resolve().parent.parent  # the Tiltfile and tilt_config.json
LAPTOP_ONLY = {"name": LAPTOP, "cluster": {"server": "https://127.0.0.1:9"}, "context": {"cluster": LAPTOP}}
PULL_FLAG = "imagePullSecrets[0].name="  # in the helm flags Tilt runs
# DOKS copies the registry's pull secret into each new namespace (its DOSecret operator), a moment late.
FIRST_PULL = (
    "the first pod may show ImagePullBackOff until {0} appears in {1}; the kubelet retries the pull"
    " (docs/troubleshooting.md)"
)


def run(*cmd: str, timeout: float = 20, env: dict | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr); 127 when the command cannot start or does not finish in time."""
    try:
        done = subprocess.run(cmd, input="", capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, "", str(exc)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def line(status: str, name: str, detail: str, fix: str = "") -> str:
    return f"{status:<5} {name:<12} {detail}" + (f"\n{'':18}fix: {fix}" if fix else "")


def tilt_result(args: list[str], context: str = "") -> tuple[int, dict | str]:
    """(0, Tilt's JSON) or (Tilt's exit code, its error) on `context`, or on a stand-in laptop cluster."""
    with tempfile.TemporaryDirectory() as tmp:
        env, config = None, Path(tmp) / "config"
        if not context:
            config.write_text(json.dumps({"clusters": [LAPTOP_ONLY], "contexts": [LAPTOP_ONLY]}))
            context, env = LAPTOP, {**os.environ, "KUBECONFIG": str(config)}
        cmd = ("tilt", "alpha", "tiltfile-result", "-f", str(ROOT / "Tiltfile"), "--context", context)
        code, out, err = run(*cmd, "--", *args, timeout=300, env=env)
    if code == 0:
        try:
            return 0, json.loads(out)
        except ValueError:
            return 1, f"no JSON from tilt alpha tiltfile-result: {out[:160]}"
    lines = err.splitlines()  # Tilt's error starts at "Error ..."; before it come Tilt's progress lines
    first = next((i for i, text in enumerate(lines) if text.startswith("Error")), max(len(lines) - 5, 0))
    git = [text for text in lines[:first] if text.startswith("fatal: ")][-1:]  # why git could not download
    return code, "\n".join(lines[first:] + git).strip() or f"tilt alpha tiltfile-result exited {code}"


def plan_of(result: dict) -> dict:
    """From Tilt's JSON: the registry it pushes to, the helm deploy command, the local forwarded ports."""
    plan = {"registry": (result.get("DefaultRegistry") or {}).get("host", ""), "ports": set(), "helm": {}}
    for manifest in result.get("Manifests") or []:
        target = manifest.get("DeployTarget") or {}
        forwards = (target.get("portForwardTemplateSpec") or {}).get("forwards") or []
        plan["ports"] |= {f["localPort"] for f in forwards if f.get("localPort")}
        plan["helm"] = plan["helm"] or target.get("applyCmd") or {}
    return plan


def registry_check(host: str) -> tuple[str, str, str, str]:
    """`docker login HOST` tries what Docker stored: the registry itself says whether it is (still) valid.
    (status, check name, detail, fix)."""
    hostname = host.split("/")[0]
    code, _, err = run("docker", "login", hostname, timeout=30)
    if code == 0:
        return "ok", "registry", f"Docker is logged in to {hostname}", ""
    fix = "run: doctl registry login" if "digitalocean" in hostname else f"run: docker login {hostname}"
    reason = (err.splitlines() or ["no answer"])[-1][:160]
    return "FAIL", "registry", f"Docker's login to {hostname} is missing or expired: {reason}", fix


def registry_login(host: str) -> str:
    return line(*registry_check(host))


def cluster(context: str, plan: dict) -> Iterator[str]:
    """The namespace Tilt deploys to, and the pull secret its helm flags name."""
    args, env = plan["helm"].get("args") or [], plan["helm"].get("env") or []
    ns = next((e[10:] for e in env if e.startswith("NAMESPACE=")), "")
    ns = ns or run("kubectl", "config", "view", "--minify", "-o", "jsonpath={..namespace}")[1] or "default"
    secrets = [a.split(PULL_FLAG, 1)[1] for a in args if PULL_FLAG in a]
    code, _, err = run("kubectl", "get", "namespace", ns, "--request-timeout=5s")
    if code and "Error from server (NotFound)" not in err:
        auth = run("kubectl", "config", "view", "--minify", "-o", "jsonpath={.users[0].user.exec.args[*]}")[1]
        auth = next((a[10:] for a in auth.split() if a.startswith("--context=")), "default")  # doctl's
        yield line(*unanswered(context, err, bool(plan["registry"]), auth))
    elif code and "--create-namespace" in args:
        created = f"{ns} will be created (helm --create-namespace)"
        notes = [f"\n{'':18}note: {FIRST_PULL.format(secret, ns)}" for secret in secrets]
        yield line("ok", "namespace", created + "".join(notes))
        # DOKS's registry integration puts its secret in every namespace: none in default, none to come.
        yield from pull_secrets(context, secrets, "default")
    elif code:
        fix = f"run: kubectl create namespace {ns} (or the create-namespace setting, docs/development.md)"
        yield line("FAIL", "namespace", f"{ns} does not exist", fix)
    else:
        yield line("ok", "namespace", f"{ns} exists")
        yield from pull_secrets(context, secrets, ns)


def pull_secrets(context: str, secrets: list[str], ns: str) -> Iterator[str]:
    """Each pull secret Tilt's helm flags name, in `ns`; missing: DOKS's registry integration is off."""
    doks = re.fullmatch(r"do-[a-z0-9]+-(.+)", context)
    fix = f"run: doctl kubernetes cluster registry add {doks[1] if doks else '<cluster>'}"
    for secret in secrets:
        code = run("kubectl", "get", "secret", secret, "-n", ns, "--request-timeout=5s")[0]
        found = line("ok", "pull-secret", f"{secret} in {ns}")
        yield found if code == 0 else line("FAIL", "pull-secret", f"{secret} missing in {ns}", fix)
