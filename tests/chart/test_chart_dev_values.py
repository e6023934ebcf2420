"""values-dev.yaml adds exactly what live update needs and the API docs, and relaxes nothing else:
uvicorn reloads (through src/devserver.py's warm parent, or uvicorn's own with reloader=uvicorn), the
api container's root filesystem is writable (Tilt copies saved files into /app/src as the image's
user), and the app serves /docs. No init container, no extra volume."""

import copy

from tests.support.chart import render

RELOAD = {"name": "UVICORN_RELOAD", "value": "true"}
# uvicorn watches from the start, or it misses a file Tilt syncs into a new container as it starts.
RELOAD_DELAY = {"name": "UVICORN_RELOAD_DELAY", "value": "0"}
DOCS_OFF = {"name": "ASTRID_API_DOCS", "value": "false"}
DOCS_ON = {"name": "ASTRID_API_DOCS", "value": "true"}


def test_production_does_not_reload_and_keeps_a_read_only_root(prod):
    assert RELOAD not in prod.api["env"] and RELOAD_DELAY not in prod.api["env"]
    assert prod.api["securityContext"]["readOnlyRootFilesystem"] is True


# The image's CMD's arguments after `uvicorn` (tests/image/test_dev_command.py pins them to the image).
DEV_COMMAND = [
    "python",
    "-m",
    "src.devserver",
    "src.api.main:app",
    "--host",
    "0.0.0.0",
    "--no-server-header",
    "--http",
    "h11",
    "--h11-max-incomplete-event-size",
    "16384",
]


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
