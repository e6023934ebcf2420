"""Dockerfile.api's stages, built by the real engine (classic builder): the default target is the
production image itself (the same image ID as `--target production`, which `make image` builds), with
no debugger in it and no more than it had before the debug target existed; the `debug` target (Tilt's
`debug` setting) is that image plus debugpy at requirements-debug.txt's pin, and nothing else."""

import re

import pytest

from tests.conftest import ROOT
from tests.support.engines import base_image, build_image, image_inspect, python_in, sh

pytestmark = pytest.mark.slow

# Pinned when the debug target was added: the production image's own layers over its base (WORKDIR,
# COPY requirements.txt, pip install, the user, COPY src) and their bytes (18.2 MB then; the pip
# layer is almost all of it). A new layer or a dependency's growth shows here first.
PRODUCTION_LAYERS_OVER_BASE = 5
PRODUCTION_BYTES_OVER_BASE_MAX = 20_000_000


def history(ref: str) -> list[str]:
    return sh("docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", ref).stdout.splitlines()


def pin(name: str, file: str) -> str:
    return re.search(rf"^{name}==(\S+)", (ROOT / file).read_text(), re.M).group(1)


@pytest.fixture(scope="module")
def debug_image() -> str:
    return build_image("test-debug", target="debug")


def test_the_default_target_is_the_production_image(api_image):
    assert image_inspect(build_image("test-default", target=None))["Id"] == image_inspect(api_image)["Id"]


def test_production_has_no_debugger_and_no_more_than_before(api_image):
    done = python_in(api_image, "import debugpy", check=False)
    assert done.returncode != 0 and "No module named 'debugpy'" in done.stderr
    assert not [line for line in history(api_image) if "debug" in line]
    image, base = image_inspect(api_image), image_inspect(base_image())
    assert len(image["RootFS"]["Layers"]) - len(base["RootFS"]["Layers"]) == PRODUCTION_LAYERS_OVER_BASE
    assert image["Size"] - base["Size"] <= PRODUCTION_BYTES_OVER_BASE_MAX, image["Size"] - base["Size"]


def test_the_debug_target_is_production_plus_the_pinned_debugpy(api_image, debug_image):
    production, debug = image_inspect(api_image), image_inspect(debug_image)
    layers = debug["RootFS"]["Layers"]
    assert layers[: len(production["RootFS"]["Layers"])] == production["RootFS"]["Layers"]
    assert len(layers) == len(production["RootFS"]["Layers"]) + 2  # requirements-debug.txt, pip install
    assert {k: debug["Config"][k] for k in ("User", "Cmd", "Env", "ExposedPorts", "Labels")} == {
        k: production["Config"][k] for k in ("User", "Cmd", "Env", "ExposedPorts", "Labels")
    }
    out = python_in(debug_image, "import debugpy; print(debugpy.__version__)")
    assert (
        out.stdout.strip()
        == pin("debugpy", "requirements-debug.txt")
        == pin("debugpy", "requirements-dev.txt")
    )
    print(f"debug image: +{(debug['Size'] - production['Size']) / 1e6:.1f} MB over production")
