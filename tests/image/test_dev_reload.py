"""The dev reload in the built image, as values-dev.yaml runs it (src/devserver.py: uvicorn's reload,
its worker forked from a parent that keeps the framework imported): the chart's dev command is the
image's CMD run through it; each kind of save is served, fresh, as after a restart."""

import json
import time
import urllib.error

import pytest

from tests.support.chart import render
from tests.support.engines import get, sh, wait_until
from tests.support.server import container

pytestmark = pytest.mark.slow
MAIN = "/app/src/api/main.py"
HEALTHY = {"status": "ok", "service": "astrid-api"}


def test_the_dev_command_is_the_images_cmd_through_the_dev_server(api_image):
    cmd = json.loads(sh("docker", "image", "inspect", "-f", "{{json .Config.Cmd}}", api_image).stdout)
    assert cmd[0] == "uvicorn"
    assert render(dev=True).api["command"] == ["python", "-m", "src.devserver", *cmd[1:]]


def write(name: str, path: str, text: str) -> None:
    sh("docker", "exec", "-i", name, "sh", "-c", f"cat > {path}", input=text)


def served(url: str, path: str):
    """The JSON `path` answers, its error status, or None while nothing answers."""
    try:
        return json.loads(get(url + path, timeout=10)[1])
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


def test_every_kind_of_save_is_served_fresh(api_image):
    with container(api_image, dev=True) as (name, url):
        original = sh("docker", "exec", name, "cat", MAIN).stdout

        def save(text: str, expect) -> float:
            write(name, MAIN, text)
            start = time.monotonic()
            wait_until(f"{expect}", lambda: expect(), timeout=30, poll=0.01)
            return time.monotonic() - start

        # A new route, counting its calls in module-level state.
        route = original + (
            "\n\nCALLS = []\n\n\n@app.get('/probe')\nasync def probe() -> dict:\n"
            "    CALLS.append(1)\n    return {'save': %d, 'calls': len(CALLS)}\n"
        )
        times = [save(route % 1, lambda: served(url, "/probe") == {"save": 1, "calls": 1})]
        assert served(url, "/probe") == {"save": 1, "calls": 2}
        # The next save starts the module's state fresh, as a restart would.
        times.append(save(route % 2, lambda: served(url, "/probe") == {"save": 2, "calls": 1}))
        # A module main.py imports.
        write(name, "/app/src/api/helper.py", "ANSWER = 41\n")
        using = original + "\n\nfrom src.api.helper import ANSWER\n\n\n@app.get('/answer')\n"
        using += "async def answer() -> dict:\n    return {'answer': ANSWER}\n"
        times.append(save(using, lambda: served(url, "/answer") == {"answer": 41}))
        write(name, "/app/src/api/helper.py", "ANSWER = 42\n")
        wait_until(
            "the imported module's change", lambda: served(url, "/answer") == {"answer": 42}, timeout=30
        )
        # A changed Pydantic model.
        model = original + (
            "\n\nclass Item(BaseModel):\n    name: str\n%s\n\n@app.get('/item')\n"
            "async def item() -> Item:\n    return Item(name='n'%s)\n"
        )
        times.append(save(model % ("", ""), lambda: served(url, "/item") == {"name": "n"}))
        times.append(
            save(
                model % ("    size: int = 3", ", size=4"),
                lambda: served(url, "/item") == {"name": "n", "size": 4},
            )
        )
        # A syntax error, then the fix: served again with no manual step.
        write(name, MAIN, original + "\ndef broken(:\n")
        wait_until(
            "the broken save stops the app",
            lambda: served(url, "/health") != {"status": "ok", "service": "astrid-api"},
            timeout=30,
        )
        times.append(
            save(
                original,
                lambda: (
                    served(url, "/probe") == 404
                    and served(url, "/health") == {"status": "ok", "service": "astrid-api"}
                ),
            )
        )
        # The removed routes are gone.
        assert served(url, "/answer") == 404 and served(url, "/item") == 404
        print("saves served after", [f"{t:.3f}" for t in times])
