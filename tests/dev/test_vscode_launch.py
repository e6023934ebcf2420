""".vscode/launch.json, checked against what it points at and driven as VS Code drives it: "make run"
is the Makefile's run target's server; "attach to the pod" connects to the debug port the chart and
the Tiltfile default to and maps src/ to the image's /app/src. The first is run for real under
debugpy's adapter (debugServer mode, a Debug Adapter Protocol client in place of VS Code) in a copy
of src/: a breakpoint in the /health handler stops GET /health, and after a save the same breakpoint
stops in uvicorn's new worker, which debugpy reports as a subprocess."""

import json
import re
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from tests.conftest import ROOT
from tests.support.dap import Debugger
from tests.support.engines import free_port

# launch.json is JSON with comments (VS Code's JSONC); these comments are whole lines.
LAUNCH = json.loads(
    "\n".join(
        ln
        for ln in (ROOT / ".vscode" / "launch.json").read_text().splitlines()
        if not ln.strip().startswith("//")
    )
)
CONFIGS = {c["name"]: c for c in LAUNCH["configurations"]}
RUN, POD = CONFIGS["astrid-api: make run"], CONFIGS["astrid-api: attach to the pod (tilt up -- --debug)"]


def run_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^run:.*\n\t(.*)$", makefile, re.M).group(1)


def test_make_run_is_the_makefiles_run_target_under_the_debugger():
    recipe = run_recipe()  # ASTRID_API_DOCS=true .venv/bin/uvicorn src.api.main:app ... --port $(PORT) ...
    env, command = recipe.split(" .venv/bin/")
    assert env == "ASTRID_API_DOCS=true" and RUN["env"] == {"ASTRID_API_DOCS": "true"}
    port = re.search(r"^PORT\s*\?=\s*(\d+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert [RUN["module"], *RUN["args"]] == command.replace("$(PORT)", port).split()
    assert RUN["python"] == "${workspaceFolder}/.venv/bin/python" and RUN["cwd"] == "${workspaceFolder}"
    assert RUN["type"] == "debugpy" and RUN["request"] == "launch" and RUN["subProcess"] is True


def test_attach_to_the_pod_is_the_charts_and_tilts_debug_port_and_the_images_source():
    values = yaml.safe_load((ROOT / "helm" / "astrid" / "values.yaml").read_text())
    assert POD["connect"] == {"host": "127.0.0.1", "port": values["api"]["debug"]["port"]}
    assert (
        f"cfg.get('debug-port', '') or '{values['api']['debug']['port']}'" in (ROOT / "Tiltfile").read_text()
    )
    dockerfile = (ROOT / "Dockerfile.api").read_text()
    assert "WORKDIR /app\n" in dockerfile and "COPY --chown=10001:10001 src/ ./src/" in dockerfile
    assert POD["pathMappings"] == [{"localRoot": "${workspaceFolder}/src", "remoteRoot": "/app/src"}]
    assert POD["type"] == "debugpy" and POD["request"] == "attach" and POD["subProcess"] is True
    local = CONFIGS["astrid-api: attach to make run (a terminal's debugpy)"]
    assert local["connect"] == POD["connect"] and "pathMappings" not in local and local["subProcess"] is True


@pytest.mark.slow
def test_make_run_under_the_debugger_stops_at_a_breakpoint_before_and_after_a_save(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    main = tmp_path / "src" / "api" / "main.py"
    original = main.read_text()
    line = 1 + original.splitlines().index('    return Health(status="ok", service=SERVICE_NAME)')
    port, api = free_port(), free_port()
    # VS Code's variables and the api's port (8080 may be taken here); output as DAP events.
    config = json.loads(
        json.dumps(RUN).replace("${workspaceFolder}", str(tmp_path)).replace('"8080"', f'"{api}"')
    )
    config.update(python=sys.executable, console="internalConsole")
    adapter = subprocess.Popen(
        [sys.executable, "-m", "debugpy.adapter", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    debugger = None
    try:
        debugger = Debugger(port, config, {str(main): [line]})
        debugger.follow(30)  # uvicorn's worker, and multiprocessing's resource tracker
        url = f"http://127.0.0.1:{api}/health"
        assert debugger.stop_and_continue(url, main, line, "SERVICE_NAME")[0] == "'astrid-api'"
        main.write_text(original + "\nSAVE_MARK = 2\n")
        saved = time.monotonic()
        debugger.follow(30)
        assert debugger.stop_and_continue(url, main, line, "SAVE_MARK")[0] == "2"
        print(f"save to stopped and served under the debugger: {time.monotonic() - saved:.2f} s")
    finally:
        if debugger:
            debugger.parent.request("disconnect", {"terminateDebuggee": True}, timeout=15)
            debugger.close()
        adapter.kill()
        adapter.wait(10)
