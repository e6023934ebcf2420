"""What `tilt up` needs (`make doctor`; `make dev` runs it first): one line per check, a fix per failure.

Usage: python3 scripts/doctor.py [TILT UP ARGUMENTS], e.g. `-- --allow-context do-nyc1-astrid`.
Tilt reads the settings (tilt_config.json, the arguments after `--`): `tilt alpha tiltfile-result`
says where `tilt up` would push, its namespace, pull secret and ports, or why it stops.
Exit 0 ready (warnings included), 1 something blocks `tilt up`, 2 Tilt stops on any cluster (a bad
setting: Tilt's exit 5). Standard library only; Python 3.9 or newer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the Tiltfile and tilt_config.json
LAPTOP = "kind-astrid"  # the laptop cluster `make dev` creates (kind-cluster.yaml)
LAPTOP_ONLY = {"name": LAPTOP, "cluster": {"server": "https://127.0.0.1:9"}, "context": {"cluster": LAPTOP}}
UI_PORT = os.environ.get("TILT_PORT", "").strip()  # Tilt's own variable for its web UI's port
TILT_UI = int(UI_PORT) if UI_PORT.isdigit() else 10350
PULL_FLAG = "imagePullSecrets[0].name="  # in the helm flags Tilt runs
INSTALL = {
    "docker": "install Docker: https://docs.docker.com/get-docker/",
    "kubectl": "install kubectl: https://kubernetes.io/docs/tasks/tools/",
    "helm": "install Helm 3.10 or newer: https://helm.sh/docs/intro/install/",
    "tilt": "install Tilt: https://docs.tilt.dev/install.html",
}
START_DOCKER = "start Docker (Docker Desktop, or: sudo systemctl start docker)"
USE_LAPTOP = f"use the laptop cluster: make cluster (or: kubectl config use-context {LAPTOP})"
NO_CONTEXT = f"make dev creates or starts {LAPTOP} (or: make cluster)"
UNREACHABLE = "check VPN and credentials: kubectl cluster-info"
FIX_SETTING = "correct that setting in tilt_config.json or after `--` (docs/development.md)"
RUNNING = f"use it at http://localhost:{TILT_UI}, or stop it (Ctrl-C where `tilt up` runs), then re-run"
BUSY = "stop what listens there (lsof -iTCP:{0} -sTCP:LISTEN), or forward another port (docs/development.md)"


def run(*cmd: str, timeout: float = 20, env: dict | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr); 127 when the command cannot start or does not finish in time."""
    try:
        done = subprocess.run(cmd, input="", capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, "", str(exc)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def line(status: str, name: str, detail: str, fix: str = "") -> str:
    return f"{status:<5} {name:<12} {detail}" + (f"\n{'':18}fix: {fix}" if fix else "")


def tool(name: str, *version_cmd: str, minimum: tuple = (), broken: str = "") -> str:
    if not shutil.which(name):
        return line("FAIL", name, "not found on PATH", INSTALL[name])
    code, out, err = run(name, *version_cmd)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", out if code == 0 else "")
    if found is None:
        detail = f"`{name} {' '.join(version_cmd)}` failed: {(err or out)[:160]}"
        return line("FAIL", name, detail, broken or INSTALL[name])
    if tuple(int(n) for n in found.groups()) < minimum:
        detail = f"v{found[0]} is too old (needs >= {'.'.join(map(str, minimum))})"
        return line("FAIL", name, detail, INSTALL[name])
    return line("ok", name, f"v{found[0]}")


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
    return code, "\n".join(lines[first:]).strip() or f"tilt alpha tiltfile-result exited {code}"


def plan_of(result: dict) -> dict:
    """From Tilt's JSON: the registry it pushes to, the helm deploy command, the local forwarded ports."""
    plan = {"registry": (result.get("DefaultRegistry") or {}).get("host", ""), "ports": set(), "helm": {}}
    for manifest in result.get("Manifests") or []:
        target = manifest.get("DeployTarget") or {}
        forwards = (target.get("portForwardTemplateSpec") or {}).get("forwards") or []
        plan["ports"] |= {f["localPort"] for f in forwards if f.get("localPort")}
        plan["helm"] = plan["helm"] or target.get("applyCmd") or {}
    return plan


def ports(numbers: set[int]) -> Iterator[str]:
    """Busy means something answers on 127.0.0.1, where Tilt listens; a busy UI port means Tilt runs."""
    for name, number in [("tilt-ui", TILT_UI)] + [("port", n) for n in sorted(numbers)]:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            busy = sock.connect_ex(("127.0.0.1", number)) == 0
        if busy and name == "tilt-ui":
            yield line("FAIL", name, f"Tilt is already running (port {TILT_UI})", RUNNING)
            return  # the forwarded ports are most likely that Tilt's
        busy_line = line("FAIL", name, f"127.0.0.1:{number} is in use", BUSY.format(number))
        yield busy_line if busy else line("ok", name, f"127.0.0.1:{number} is free")


def registry_login(host: str) -> str:
    """`docker login HOST` tries what Docker stored: the registry itself says whether it is (still) valid."""
    hostname = host.split("/")[0]
    code, _, err = run("docker", "login", hostname, timeout=30)
    if code == 0:
        return line("ok", "registry", f"Docker is logged in to {hostname}")
    fix = "run: doctl registry login" if "digitalocean" in hostname else f"run: docker login {hostname}"
    reason = (err.splitlines() or ["no answer"])[-1][:160]
    return line("FAIL", "registry", f"Docker's login to {hostname} is missing or expired: {reason}", fix)


def cluster(context: str, plan: dict) -> Iterator[str]:
    """The namespace Tilt deploys to, and the pull secret its helm flags name."""
    args, env = plan["helm"].get("args") or [], plan["helm"].get("env") or []
    ns = next((e[10:] for e in env if e.startswith("NAMESPACE=")), "")
    ns = ns or run("kubectl", "config", "view", "--minify", "-o", "jsonpath={..namespace}")[1] or "default"
    code, _, err = run("kubectl", "get", "namespace", ns, "--request-timeout=5s")
    err = (err.splitlines() or [""])[-1][:160]  # kubectl's last line says why
    if code and "NotFound" not in err:
        status, fix = ("FAIL", UNREACHABLE) if plan["registry"] else ("warn", NO_CONTEXT)
        yield line(status, "cluster", f"{context} does not answer: {err}", fix)
    elif code and "--create-namespace" in args:
        yield line("ok", "namespace", f"{ns} will be created (helm --create-namespace)")
    elif code:
        fix = f"run: kubectl create namespace {ns} (or the create-namespace setting, docs/development.md)"
        yield line("FAIL", "namespace", f"{ns} does not exist", fix)
    else:
        yield line("ok", "namespace", f"{ns} exists")
        doks = re.fullmatch(r"do-[a-z0-9]+-(.+)", context)
        fix = f"run: doctl kubernetes cluster registry add {doks[1] if doks else '<cluster>'}"
        for secret in [a.split(PULL_FLAG, 1)[1] for a in args if PULL_FLAG in a]:
            code = run("kubectl", "get", "secret", secret, "-n", ns, "--request-timeout=5s")[0]
            found = line("ok", "pull-secret", f"{secret} in {ns}")
            yield found if code == 0 else line("FAIL", "pull-secret", f"{secret} missing in {ns}", fix)


def checks(args: list[str]) -> Iterator[str]:
    yield tool("docker", "info", "--format", "{{.ServerVersion}}", broken=START_DOCKER)
    yield tool("kubectl", "version", "--client")
    yield tool("helm", "version", "--short", minimum=(3, 10))  # for --set-json
    yield tool("tilt", "version")
    if not shutil.which("tilt"):
        return  # everything below comes from Tilt
    context = run("kubectl", "config", "current-context", timeout=10)[1] if shutil.which("kubectl") else ""
    code, result = tilt_result(args, context) if context else (1, "")
    if code == 0:
        plan = plan_of(result)
        pushes = plan["registry"] or "the cluster's own registry"
        yield line("ok", "context", f"{context} (Tilt pushes to {pushes})")
        if plan["registry"]:
            yield registry_login(plan["registry"])
        yield from cluster(context, plan)
        yield from ports(plan["ports"])
        return
    laptop_code, laptop = tilt_result(args)  # stops there too: the settings; only on `context`: the context
    if laptop_code == 5:
        print(f"doctor: Tilt stops, on any cluster:\n{laptop}\nfix: {FIX_SETTING}", file=sys.stderr)
        sys.exit(2)
    if laptop_code:
        fix = "see Tilt's message; its first run downloads the helm_resource extension from GitHub"
        yield line("FAIL", "tilt", f"tilt alpha tiltfile-result failed: {laptop}", fix)
        return
    fix = f"{USE_LAPTOP}; to deploy to {context} after all, do what Tilt says"
    refused = line("FAIL", "context", f"Tilt stops on {context}: {result}", fix)
    yield refused if context else line("warn", "context", "no current kube context", NO_CONTEXT)
    yield from ports(plan_of(laptop)["ports"])


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 9):  # noqa: UP036 -- laptops run this with their system Python
        print(f"doctor: needs Python 3.9 or newer; this python3 is {sys.version.split()[0]}")
        return 1
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    blocking = 0
    for result in checks(argv[argv.index("--") + 1 :] if "--" in argv else []):
        print(result, flush=True)
        blocking += result.startswith("FAIL")
    blocked = f"doctor: {blocking} problem(s) block `tilt up`; apply the fixes above, then re-run"
    print(blocked if blocking else "doctor: ready for `tilt up`")
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
