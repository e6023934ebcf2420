"""`tilt ci` then `tilt down`, the way tilt-extensions' own helm_resource test runs: every resource
green, the Tilt health resource ran the smoke test through the forwarded port, and `tilt down`
leaves no release and no object behind; a second `tilt ci` then works from nothing. On DOKS the
namespace is the one the Tiltfile derives from git's user.email and creates; two developers' loops
run side by side, neither touching the other's."""

import json
import re
import uuid

import pytest

from tests.loop.conftest import Loop, api_pod, copy_project, run
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# Each resource tilt ci runs, and what its log shows once its update has finished (a regex).
SUMMARY = r"\b\d+ passed\b.* in [\d.]+s"  # pytest's last line, e.g. "228 passed, 2 deselected in 12.3s"
RESOURCES = {
    "astrid-api": r"Step \d+ - [\d.]+s \(Deploying\)",  # Tilt's timing of its last step
    "venv": r"venv: \.venv is up to date",
    "health": SUMMARY,
    "pytest": SUMMARY,
}
RELEASE_SELECTOR = "app.kubernetes.io/instance=astrid"


def resource_logs(snapshot: dict, name: str) -> str:
    logs = snapshot["view"]["logList"]
    spans = {sid for sid, span in logs["spans"].items() if span.get("manifestName") == name}
    return "".join(seg.get("text", "") for seg in logs["segments"] if seg.get("spanId") in spans)


def tilt_ci(loop, project, snapshot_file, settings=None) -> dict:
    """`tilt ci` in `project`; asserts it exits 0 and returns Tilt's snapshot of the run."""
    ci = ["tilt", "ci", "--timeout", "15m", f"--output-snapshot-on-exit={snapshot_file}"]
    result = run(loop.env, *ci, "--", *(settings or loop.settings), cwd=project, check=False, timeout=1000)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return json.loads(snapshot_file.read_text())


def nothing_left(env, namespace) -> bool:
    objects = [
        "kubectl",
        "get",
        "all,configmap,secret",
        "-n",
        namespace,
        "-l",
        RELEASE_SELECTOR,
        "-o",
        "name",
    ]
    return (
        run(env, "helm", "list", "-q", "--all", "-n", namespace).stdout.strip() == ""
        and run(env, *objects).stdout.strip() == ""
    )


def down(loop, project) -> None:
    run(loop.env, "tilt", "down", "--", *loop.settings, cwd=project, timeout=300)
    left = lambda: nothing_left(loop.env, loop.namespace)  # noqa: E731
    wait_until("no release and no object of it left", left, timeout=90)


def test_tilt_ci_is_green_then_tilt_down_removes_everything_and_up_works_again(loop, project, tmp_path):
    env = loop.env
    snapshot = tilt_ci(loop, project, tmp_path / "first.json")
    status = {r["metadata"]["name"]: r["status"] for r in snapshot["view"]["uiResources"]}
    assert set(RESOURCES) <= set(status)
    # Exit 0 is Tilt's verdict that every resource finished green. The snapshot copies resources from
    # the engine a moment later, so the last to finish may still read in_progress there; then its
    # log, which is complete, must show it finished.
    for name, finished in RESOURCES.items():
        done = status[name]["updateStatus"] == "ok"
        assert done or status[name]["updateStatus"] == "in_progress", (name, status[name])
        logged = resource_logs(snapshot, name)
        assert done or re.search(finished, logged), (name, logged[-500:])
        assert not any(b.get("error") for b in status[name].get("buildHistory", [])), (name, status[name])
    assert status["astrid-api"]["runtimeStatus"] == "ok"
    # Tilt sets ASTRID_SMOKE_URL for the health resource, so the smoke test is selected there (it is
    # deselected only without it) and fails rather than skips: "1 passed" means it passed.
    for name, expected in [("health", "1 passed"), ("pytest", " passed")]:
        summary = [line for line in resource_logs(snapshot, name).splitlines() if " passed" in line][-1]
        assert expected in summary and not any(w in summary for w in ("failed", "skipped", "error")), summary

    # The release is there, in the loop's namespace, until `tilt down`, which removes it and every
    # object it made.
    assert "astrid" in run(env, "helm", "list", "-q", "-n", loop.namespace).stdout.split()
    down(loop, project)

    # And the loop comes back up from nothing.
    tilt_ci(loop, project, tmp_path / "second.json")
    down(loop, project)


def test_a_namespace_the_loop_creates_goes_only_with_make_down_delete_namespace(
    loop, target, project, tmp_path
):
    """What a remote context does by default (astrid-<email>, created), run with explicit settings:
    `make down` takes make dev's ARGS (tilt up's --stream is not tilt down's) and keeps the namespace;
    with DELETE_NAMESPACE=yes it is `tilt down --delete-namespaces`, and the namespace goes too."""
    env, namespace = loop.env, f"t-created-{uuid.uuid4().hex[:8]}"
    ours = [*target.allow, "--api-port", str(loop.port), "--namespace", namespace, "--create-namespace"]
    settings = f"-- {' '.join(ours)}"
    tilt_ci(loop, project, tmp_path / "created.json", ours)
    exists = ["kubectl", "get", "namespace", namespace, "-o", "jsonpath={.status.phase}"]
    try:
        kept = run(env, "make", "down", f"ARGS=--stream {settings}", cwd=project, timeout=300)
        assert f"tilt down {settings}" in kept.stdout
        assert "Run with --delete-namespaces to delete namespaces as well" in kept.stdout + kept.stderr
        assert "astrid" not in run(env, "helm", "list", "-q", "-n", namespace).stdout.split()
        assert run(env, *exists).stdout == "Active"
        make = ["make", "down", f"ARGS={settings}", "DELETE_NAMESPACE=yes"]
        assert f"tilt down --delete-namespaces {settings}" in run(env, *make, cwd=project, timeout=300).stdout
        gone = run(env, *exists, check=False)
        assert gone.returncode != 0 or gone.stdout == "Terminating", gone.stdout
    finally:
        run(env, "kubectl", "delete", "namespace", namespace, "--wait=false", check=False)


def test_two_developers_loops_side_by_side_never_touch_each_other(env, target, tmp_path):
    """Alice's and Bob's loops on one cluster: each `tilt ci` deploys into its own namespace (on DOKS,
    each one's astrid-<email>); Alice's `tilt down` leaves Bob's release, pod and port alone."""
    loops = []
    for name in ("alice", "bob"):
        project = copy_project(tmp_path / name, f"{name}-{uuid.uuid4().hex[:6]}@example.com")
        loops.append((Loop.of(env, target, project), project))
    try:
        for n, (loop, project) in enumerate(loops):
            tilt_ci(loop, project, tmp_path / f"{n}.json")
        (alice, alice_project), (bob, _) = loops
        assert alice.namespace != bob.namespace
        bob_pod = api_pod(env, bob.namespace, "metadata.uid")
        down(alice, alice_project)
        assert "astrid" in run(env, "helm", "list", "-q", "-n", bob.namespace).stdout.split()
        assert api_pod(env, bob.namespace, "metadata.uid") == bob_pod
    finally:
        for loop, project in loops:
            run(loop.env, "tilt", "down", "--", *loop.settings, cwd=project, check=False, timeout=300)
            run(env, "kubectl", "delete", "namespace", loop.namespace, "--wait=false", check=False)
