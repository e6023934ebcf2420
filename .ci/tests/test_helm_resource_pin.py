"""The tilt-extensions commit the Tiltfile pins is the one CI's helm_resource stand-in says it follows
(GitHub is out of reach here, so that equality is the check), and Tilt checks it out offline."""

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.loop.conftest import run

CI = Path(__file__).resolve().parents[1]


def test_tilt_loads_the_pinned_commit_the_stand_in_follows(env):
    pinned = (CI / "helm_resource" / "upstream-commit").read_text().strip()
    result = json.loads(run(env, "tilt", "alpha", "tiltfile-result", "-f", str(ROOT / "Tiltfile")).stdout)
    repos = result["ObjectSet"]["tilt.dev/v1alpha1, Resource=extensionrepos"]
    refs = {name: repo["spec"].get("ref") for name, repo in repos.items()}
    assert refs == {"default": pinned}, refs
    clone = f"{env['XDG_DATA_HOME']}/tilt-dev/tilt_modules/github.com/tilt-dev/tilt-extensions"
    head = subprocess.run(
        ["git", "-C", clone, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    assert head.stdout.strip() == pinned
