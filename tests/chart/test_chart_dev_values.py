"""values-dev.yaml adds exactly what live update needs and the API docs, and relaxes nothing else:
uvicorn reloads (through src/devserver.py's warm parent, or uvicorn's own with reloader=uvicorn), the
api container's root filesystem is writable (Tilt copies saved files into /app/src as the image's
user), and the app serves /docs. No init container, no extra volume. Debugging (api.debug, Tilt's
`debug` setting) is off in both; on, it runs the same dev server under debugpy on the pod's loopback."""

import copy

from tests.support.chart import render
from tests.support.server import IMAGE_CMD

RELOAD = {"name": "UVICORN_RELOAD", "value": "true"}
# uvicorn watches from the start, or it misses a file Tilt syncs into a new container as it starts.
RELOAD_DELAY = {"name": "UVICORN_RELOAD_DELAY", "value": "0"}
DOCS_OFF = {"name": "ASTRID_API_DOCS", "value": "false"}
DOCS_ON = {"name": "ASTRID_API_DOCS", "value": "true"}


def test_production_does_not_reload_and_keeps_a_read_only_root(prod):
    assert RELOAD not in prod.api["env"] and RELOAD_DELAY not in prod.api["env"]
    assert prod.api["securityContext"]["readOnlyRootFilesystem"] is True


# The image's CMD run through the dev server (tests/image/test_image.py pins IMAGE_CMD to the image).
DEV_COMMAND = ["python", "-m", "src.devserver", *IMAGE_CMD[1:]]


def test_production_runs_the_images_cmd_and_dev_the_warm_reloader(prod, dev):
    assert "command" not in prod.api and "args" not in prod.api
    assert dev.api["command"] == DEV_COMMAND and "args" not in dev.api


def test_the_reloader_setting_goes_back_to_uvicorns_own_reload():
    plain = render({"api": {"server": {"reloader": "uvicorn"}}}, dev=True)
    assert "command" not in plain.api
    assert RELOAD in plain.api["env"] and RELOAD_DELAY in plain.api["env"]


def test_dev_reloads_and_only_the_api_root_is_writable(dev):
    assert RELOAD in dev.api["env"] and RELOAD_DELAY in dev.api["env"]
    assert dev.api["securityContext"]["readOnlyRootFilesystem"] is False
    (check,) = dev.test_pod["spec"]["containers"]
    assert check["securityContext"]["readOnlyRootFilesystem"] is True


def test_production_hides_the_api_docs_and_dev_serves_them(prod, dev):
    assert DOCS_OFF in prod.api["env"] and DOCS_ON not in prod.api["env"]
    assert DOCS_ON in dev.api["env"] and DOCS_OFF not in dev.api["env"]


def test_dev_needs_no_init_container_or_volume(prod, dev):
    assert "initContainers" not in dev.pod_spec
    assert dev.pod_spec["volumes"] == prod.pod_spec["volumes"]
    assert dev.api["volumeMounts"] == prod.api["volumeMounts"]


def without_expected_dev_differences(deployment):
    """The dev Deployment minus exactly what values-dev.yaml is meant to add."""
    d = copy.deepcopy(deployment)
    (api,) = d["spec"]["template"]["spec"]["containers"]
    api["env"].remove(RELOAD)
    api["env"].remove(RELOAD_DELAY)
    del api["command"]
    api["env"][api["env"].index(DOCS_ON)] = DOCS_OFF
    api["securityContext"]["readOnlyRootFilesystem"] = True
    return d


def test_nothing_else_differs_from_production(prod, dev):
    stripped = without_expected_dev_differences(dev.deployment)
    assert stripped == prod.deployment
    assert stripped != dev.deployment  # the expected differences were really there
    assert dev.service == prod.service
    assert dev.test_pod == prod.test_pod


DEBUG = {"api": {"debug": {"enabled": True}}}


def test_debugging_is_off_in_production_and_in_the_dev_values(prod, dev):
    for rendered in (prod, dev):
        assert "debugpy" not in rendered.api.get("command", [])
        assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(rendered.api)


def test_debug_runs_the_dev_server_under_debugpy_on_the_pods_loopback_only():
    api = render(DEBUG, dev=True).api
    listen = ["python", "-Xfrozen_modules=off", "-m", "debugpy", "--listen", "127.0.0.1:5678"]
    assert api["command"] == [*listen, *DEV_COMMAND[1:]]
    # Not a container port: nothing but a port-forward (the pod's own loopback) reaches it.
    assert api["ports"] == [{"name": "http", "containerPort": 80, "protocol": "TCP"}]
    waiting = render({"api": {"debug": {"enabled": True, "wait": True, "port": 6000}}}, dev=True).api
    assert waiting["command"][:7] == [*listen[:-1], "127.0.0.1:6000", "--wait-for-client"]
    assert waiting["command"][7:] == DEV_COMMAND[1:]
    uvicorns = render({"api": {"debug": {"enabled": True}, "server": {"reloader": "uvicorn"}}}, dev=True).api
    assert uvicorns["command"] == [*listen, "-m", "uvicorn", *DEV_COMMAND[3:]]  # its own reload, spawned


def test_debug_leaves_out_the_probes_that_would_restart_a_worker_stopped_at_a_breakpoint(dev):
    api = render(DEBUG, dev=True).api
    assert "startupProbe" not in api and "livenessProbe" not in api
    assert api["readinessProbe"] == dev.api["readinessProbe"]  # Tilt's green: the pod serves


def test_debug_changes_nothing_else_in_the_dev_deployment(dev):
    debug = copy.deepcopy(render(DEBUG, dev=True).deployment)
    (api,) = debug["spec"]["template"]["spec"]["containers"]
    api["command"] = DEV_COMMAND
    (dev_api,) = dev.pod_spec["containers"]
    api["startupProbe"], api["livenessProbe"] = dev_api["startupProbe"], dev_api["livenessProbe"]
    assert debug == dev.deployment
