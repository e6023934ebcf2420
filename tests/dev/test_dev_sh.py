"""scripts/dev.sh (`make dev`): the doctor's checks, the laptop cluster where that can't hurt, Tilt."""

import pytest

APPLY = "ctlptl apply -f kind-cluster.yaml"


@pytest.mark.parametrize("context", ["", "kind-astrid"])
def test_no_context_or_our_laptop_cluster_is_applied_then_tilt_runs(sandbox, context):
    sandbox.env["STUB_CONTEXT"] = context
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert sandbox.calls() == [APPLY, "tilt up"]
    done = sandbox.dev()  # re-running only re-applies (ctlptl keeps a matching cluster) and runs Tilt
    assert done.returncode == 0, done.output
    assert sandbox.calls() == [APPLY, "tilt up"] * 2


def test_another_laptop_cluster_is_used_as_it_is(sandbox):
    sandbox.env["STUB_CONTEXT"] = "docker-desktop"
    sandbox.plan("docker-desktop")
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert sandbox.calls() == ["tilt up"]


@pytest.mark.parametrize(
    ("context", "fix"), [("docker-desktop", "start Docker Desktop"), ("k3d-mine", "k3d")]
)
def test_another_laptop_cluster_that_does_not_answer_stops_before_tilt(sandbox, context, fix):
    sandbox.plan(context)
    sandbox.env.update(STUB_CONTEXT=context, STUB_CLUSTER_DOWN="1")
    done = sandbox.dev()
    assert done.returncode == 1, done.output
    assert f"FAIL  cluster      {context} does not answer" in done.stdout
    assert f"fix: start it: {fix}" in done.stdout
    assert sandbox.calls() == [], "neither kind-astrid is created nor tilt up run against the dead cluster"


def test_the_laptop_cluster_stopped_is_applied_then_tilt_runs(sandbox):
    sandbox.env["STUB_CLUSTER_DOWN"] = "1"
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert "warn  cluster      kind-astrid does not answer" in done.stdout
    assert sandbox.calls() == [APPLY, "tilt up"]


def test_an_allowed_doks_context_runs_the_loop_there_without_a_cluster(sandbox):
    sandbox.remote("do-nyc1-astrid")
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert "ok    registry" in done.stdout
    assert "ok    pull-secret  registry-astrid in default" in done.stdout
    assert sandbox.calls() == ["tilt up"]


@pytest.mark.parametrize(
    ("missing", "line"), [("namespace", "FAIL  namespace"), ("secret", "FAIL  pull-secret")]
)
def test_on_doks_a_missing_namespace_or_pull_secret_stops_before_tilt(sandbox, missing, line):
    sandbox.remote("do-nyc1-astrid")
    sandbox.env["STUB_NAMESPACES" if missing == "namespace" else "STUB_SECRETS"] = ""
    done = sandbox.dev()
    assert done.returncode == 1
    assert line in done.stdout
    assert sandbox.calls() == []


def test_a_context_tilt_refuses_stops_before_anything_runs(sandbox):
    sandbox.remote("do-fra1-prod")
    sandbox.refuse("do-fra1-prod", "Error in fail: not allowed")
    done = sandbox.dev()
    assert done.returncode == 1
    assert "FAIL  context      Tilt stops on do-fra1-prod: Error in fail: not allowed" in done.stdout
    assert "fix: use the laptop cluster: make cluster" in done.stdout
    assert sandbox.calls() == []


@pytest.mark.parametrize(
    ("context", "missing", "message"),
    [
        ("", "docker", "FAIL  docker"),
        ("docker-desktop", "docker", "FAIL  docker"),
        ("", "ctlptl", "dev: creating kind-astrid needs ctlptl and kind"),  # and the install links
    ],
)
def test_a_missing_tool_stops_before_the_cluster_and_tilt(sandbox, context, missing, message):
    sandbox.env["STUB_CONTEXT"] = context
    sandbox.plan("docker-desktop")
    sandbox.remove(missing)
    done = sandbox.dev()
    assert done.returncode != 0
    assert message in done.output
    assert sandbox.calls() == []


def test_arguments_pass_through_to_tilt_up_and_the_settings_to_the_doctors_tilt(sandbox):
    sandbox.remote("do-nyc1-astrid")
    sandbox.refuse("do-nyc1-astrid", "Error in fail: not allowed")  # unless the settings name it:
    done = sandbox.dev("--stream", "--", "--allow-context", "do-nyc1-astrid")
    assert done.returncode == 1
    assert sandbox.calls("tilt alpha")[0].endswith(
        " --context do-nyc1-astrid -- --allow-context do-nyc1-astrid"
    )
    (sandbox.root.parent / "tilt" / "do-nyc1-astrid.err").unlink()  # Tilt accepts it
    done = sandbox.dev("--stream", "--", "--allow-context", "do-nyc1-astrid")
    assert done.returncode == 0, done.output
    assert sandbox.calls() == ["tilt up --stream -- --allow-context do-nyc1-astrid"]
