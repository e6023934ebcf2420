"""scripts/dev.sh (`make dev`) creates the laptop cluster only where that can't hurt, then runs Tilt."""

import pytest

APPLY = "ctlptl apply -f deploy/kind-cluster.yaml"


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
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert sandbox.calls() == ["tilt up"]


def test_an_allowed_doks_context_runs_the_loop_there_without_a_cluster(sandbox):
    sandbox.remote("do-nyc1-astrid")
    done = sandbox.dev()
    assert done.returncode == 0, done.output
    assert "ok    registry" in done.stdout
    assert sandbox.calls() == ["tilt up"]


def test_an_unnamed_remote_context_is_refused_before_anything_runs(sandbox):
    sandbox.remote("do-fra1-prod")
    del sandbox.env["ASTRID_ALLOW_CONTEXT"]
    done = sandbox.dev()
    assert done.returncode != 0
    assert "tilt up -- --allow-context do-fra1-prod" in done.stdout
    assert "export ASTRID_ALLOW_CONTEXT=do-fra1-prod" in done.stdout
    assert sandbox.calls() == []


@pytest.mark.parametrize("context", ["", "docker-desktop"])
def test_a_blocking_preflight_stops_before_the_cluster_and_tilt(sandbox, context):
    sandbox.env["STUB_CONTEXT"] = context
    sandbox.remove("docker")
    done = sandbox.dev()
    assert done.returncode != 0
    assert "FAIL  docker" in done.stdout
    assert sandbox.calls() == []


def test_creating_the_cluster_without_ctlptl_stops_with_the_install_link(sandbox):
    sandbox.env["STUB_CONTEXT"] = ""
    sandbox.remove("ctlptl")
    done = sandbox.dev()
    assert done.returncode != 0
    assert "dev: creating kind-astrid needs ctlptl and kind" in done.stderr
    assert sandbox.calls() == []


def test_arguments_pass_through_to_tilt_up_and_count_for_the_preflight(sandbox):
    sandbox.remote("do-nyc1-astrid")
    del sandbox.env["ASTRID_ALLOW_CONTEXT"]
    done = sandbox.dev("--stream", "--", "--allow-context", "do-nyc1-astrid")
    assert done.returncode == 0, done.output
    assert sandbox.calls() == ["tilt up --stream -- --allow-context do-nyc1-astrid"]
