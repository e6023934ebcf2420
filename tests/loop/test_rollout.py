"""A `helm upgrade` that replaces the pod while a bounded load runs against the Service from inside the
cluster loses no request: what the chart's preStop sleep, grace period and surge-1 rollout are for."""

import json

import pytest

from tests.loop.conftest import helm, run
from tests.support.engines import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# Until the test creates /tmp/stop (at most 300 s and 200,000 requests), each request on a new
# connection through the Service's DNS name.
LOAD = """
import json, os, time, urllib.request
ok, failed, errors, start = 0, 0, [], time.monotonic()
print("load: started", flush=True)
while not os.path.exists("/tmp/stop") and time.monotonic() - start < 300 and ok + failed < 200000:
    try:
        with urllib.request.urlopen("http://astrid-api-service/health", timeout=10) as r:
            ok += r.status == 200
            failed += r.status != 200
    except Exception as e:
        failed += 1
        errors.append(repr(e)[:120])
print(json.dumps({"ok": ok, "failed": failed, "errors": errors[:5]}), flush=True)
"""


def test_rollout_under_load_loses_no_request(env, target, pushed_image, namespace):
    helm(env, "install", pushed_image, "-n", namespace)
    selector = [
        "-n",
        namespace,
        "-l",
        "app.kubernetes.io/component=api",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]
    before = run(env, "kubectl", "get", "pods", *selector).stdout

    run(
        env,
        "kubectl",
        "run",
        "load",
        "-n",
        namespace,
        "--image=" + ":".join(pushed_image),
        "--restart=Never",
        "--overrides",
        json.dumps({"spec": {"imagePullSecrets": [{"name": target.pull_secret}]}}),
        "--command",
        "--",
        "python",
        "-c",
        LOAD,
    )
    wait_until(
        "the load has started",
        lambda: "load: started" in run(env, "kubectl", "logs", "-n", namespace, "load", check=False).stdout,
        timeout=60,
    )

    helm(env, "upgrade", pushed_image, "-n", namespace, "--set-string", "api.podAnnotations.rollout=1")
    wait_until(
        "the old pod is gone",
        lambda: before not in run(env, "kubectl", "get", "pods", *selector).stdout,
        timeout=90,
    )

    def load_phase():
        return run(
            env, "kubectl", "get", "pod", "load", "-n", namespace, "-o", "jsonpath={.status.phase}"
        ).stdout

    assert load_phase() == "Running", "the load must outlast the rollout to measure all of it"
    run(env, "kubectl", "exec", "-n", namespace, "load", "--", "touch", "/tmp/stop")  # noqa: S108 (in the pod)
    wait_until("the load has finished", lambda: load_phase() == "Succeeded", timeout=90)
    report = json.loads(run(env, "kubectl", "logs", "-n", namespace, "load").stdout.splitlines()[-1])
    print("rollout under load:", report)
    assert report["failed"] == 0, report
    assert report["ok"] > 200, report
