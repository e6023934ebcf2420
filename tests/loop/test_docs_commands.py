"""Every ```sh block in README.md and docs/ runs here, on the suite's cluster, as a reader types it:
```sh everywhere, ```sh doks on a DOKS cluster and ```sh laptop on a laptop one (the other kind's are
deselected at collection; CI runs the suite on both).

Each block is one bash script, run in a committed copy of the project with the target's tools and,
on a laptop cluster, REGISTRY=<its registry>/astrid (on DOKS the Makefile's default, DOCR).
BASE_IMAGE names the base in that registry, as `make release` pulls its base afresh and no other
registry is reachable in CI. Each block gets a private
copy of the kubeconfig whose context namespace is a fresh one (a reader's own), so that a block's
`kubectl config set-context` never touches CI's kubeconfig; that namespace and any the block creates
(named after the block's git user.email) are deleted afterwards. Commands run exactly as written:
a server started with `&` must be waited for by the block itself (nothing retries curl for it).
Background jobs stop with the block, and a `# {...}` line is the output the command above it must
print, at the start of a line. Blocks fenced ```sh manual need DigitalOcean, a laptop or the
internet; tests/docs checks that each links to its tool's docs."""

import json
import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.loop.conftest import announced_registry, run

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PRELUDE = """set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
"""


def blocks() -> list:
    runs_here = ("sh", "sh laptop" if announced_registry() else "sh doks")
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for match in re.finditer(r"^```(sh(?: doks| laptop)?)\n(.*?)^```$", text, re.M | re.S):
            where = f"{doc.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
            if match.group(1) in runs_here:
                found.append(pytest.param(match.group(2), id=where))
    return found


@pytest.fixture(scope="module")
def registry_base(env, target) -> str:
    """The Dockerfile's base served by the target's registry, where `make release` (docker build
    --pull) fetches it afresh."""
    base = run(env, "bash", str(ROOT / "scripts" / "base-image.sh"), timeout=1200).stdout.split()[-1]
    ref = f"{target.registry}/python:3.11-slim"
    run(env, "docker", "tag", base, ref)
    run(env, "docker", "push", ref, timeout=600)
    return ref


@pytest.fixture
def committed(env, target, project, registry_base, tmp_path_factory):
    """The project copy as a commit of its own, at an appVersion no earlier run has pushed, with a
    private kubeconfig (its context's namespace a fresh one) and a git user.email of its own."""
    chart = project / "helm" / "astrid" / "Chart.yaml"
    token = uuid.uuid4().hex[:8]
    version = f"0.1.0-docs.{token}"
    chart.write_text(re.sub(r"(?m)^appVersion: .*$", f'appVersion: "{version}"', chart.read_text()))
    git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@localhost"]
    for argv in (["git", "add", "-A"], [*git, "commit", "-qm", "docs"]):
        run(env, *argv, cwd=project)
    shared = Path(env["KUBECONFIG"])
    before = shared.read_bytes()
    # Outside the project copy, which `make release` wants clean.
    kubeconfig = tmp_path_factory.mktemp("kubeconfig") / "config"
    kubeconfig.write_text(run(env, "kubectl", "config", "view", "--raw", "--flatten").stdout)
    home = f"docs-{token}"
    run(env, "kubectl", "create", "namespace", home)
    private = {"KUBECONFIG": str(kubeconfig)}
    run({**env, **private}, "kubectl", "config", "set-context", "--current", "--namespace", home)
    settings = {
        "REGISTRY": f"{target.registry}/astrid" if target.local else target.registry,
        "BASE_IMAGE": registry_base,
        "PYTHONDONTWRITEBYTECODE": "1",
        # `git config user.email` in a block: unique, so a namespace named after it is this run's.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.email",
        "GIT_CONFIG_VALUE_0": f"docs-{token}@example.com",
    }
    try:
        yield project, {**env, **settings, **private}, version
    finally:
        names = run(env, "kubectl", "get", "namespaces", "-o", "name").stdout.split()
        for name in (n.removeprefix("namespace/") for n in names):
            if token in name:  # the namespace takes its release and pods with it
                run(env, "kubectl", "delete", "namespace", name, "--wait=false", check=False)
    assert shared.read_bytes() == before, "a block changed CI's own kubeconfig"


@pytest.mark.parametrize("block", blocks())
def test_documented_commands_run_as_written(committed, block):
    project, env, _ = committed
    # Its own process group, so that a block cut short cannot leave a server behind (`... &`).
    shell = ["bash", "-c", PRELUDE + block]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(shell, cwd=project, env=env, start_new_session=True, **pipes) as done:
        try:
            stdout, stderr = done.communicate(timeout=900)
        finally:
            try:
                os.killpg(done.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert done.returncode == 0, stdout[-3000:] + stderr[-3000:]
    for expected in re.findall(r"(?m)^# (\{.*\})$", block):
        assert re.search(rf"(?m)^{re.escape(expected)}", stdout), stdout[-3000:]


def test_make_release_refuses_a_dirty_tree_and_an_existing_tag_and_pulls_its_base(committed, pushed_image):
    project, env, version = committed
    (project / "src" / "api" / "main.py").write_text("# unsaved work\n", encoding="utf-8")
    dirty = run(env, "make", "release", cwd=project, check=False)
    assert dirty.returncode != 0
    assert "release: the tree has uncommitted changes" in dirty.stderr
    run(env, "git", "checkout", "--", ".", cwd=project)
    logged_out = run(
        {**env, "REGISTRY": "127.0.0.2:5999/astrid"}, "make", "release", cwd=project, check=False
    )
    assert "release: Docker's login to 127.0.0.2:5999 is missing or expired" in logged_out.stderr
    base_id = ["docker", "image", "inspect", "-f", "{{.Id}}", env["BASE_IMAGE"]]
    fresh = run(env, *base_id).stdout
    run(env, "docker", "tag", ":".join(pushed_image), env["BASE_IMAGE"])  # a stale copy under its name
    run(env, "make", "release", cwd=project, timeout=600)
    assert run(env, *base_id).stdout == fresh, "make release built on the local copy, not a fresh pull"
    again = run(env, "make", "release", cwd=project, check=False)
    assert again.returncode != 0
    assert f"release: {env['REGISTRY']}/astrid-api:{version} already exists" in again.stderr


@pytest.mark.parametrize("email", ["Jane.Doe@Acme.io", "a_b+c@x.example.com", f"{'long' * 20}@example.com"])
def test_the_readmes_namespace_line_names_the_namespace_the_loop_uses(env, tmp_path, email):
    # The README's by-hand block computes the namespace the Tiltfile derives from git's user.email on
    # a shared cluster: the real Tilt says which (a DOKS-like context whose server answers nothing).
    line = re.search(r"(?m)^NS=\$\((.*)\)$", (ROOT / "README.md").read_text())
    assert line, "README.md: the by-hand block's NS=$(...) line"
    git = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": email}
    ours = run({**env, **git}, "bash", "-c", f"set -euo pipefail; {line[1]}").stdout.strip()
    context = "do-nyc1-astrid"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": "https://127.0.0.1:1"}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": "nobody"}}],
        "users": [{"name": "nobody", "user": {}}],
        "current-context": context,
    }
    (tmp_path / "config").write_text(json.dumps(config))
    plan = ["tilt", "alpha", "tiltfile-result", "-f", str(ROOT / "Tiltfile"), "--context", context]
    tilt_env = {**env, **git, "KUBECONFIG": str(tmp_path / "config")}
    result = json.loads(run(tilt_env, *plan, "--", "--allow-context", context, cwd=ROOT).stdout)
    targets = [m.get("DeployTarget") or {} for m in result["Manifests"]]
    applied = [target["applyCmd"] for target in targets if "applyCmd" in target]
    assert f"NAMESPACE={ours}" in applied[0]["env"], (ours, applied[0]["env"])
