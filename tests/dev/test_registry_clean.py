"""`make registry-clean`: Tilt's tilt-* tags go, every other tag stays. DigitalOcean's API cannot be
reached here, so doctl is a stub that answers as doctl does (`--format Tag --no-header`: one tag a
line; godo's error line on a refused token) and logs each call."""

import os
import subprocess

import pytest

from tests.conftest import ROOT

DOCTL = """#!/bin/sh
echo "$*" >>"$STUB_LOG"
case "$*" in
  "registry repository list-tags astrid-api --format Tag --no-header")
    [ -z "${STUB_REFUSED:-}" ] || {
      echo 'Error: GET https://api.digitalocean.com/v2/registry: 401 (request "0f")' \
        'Unable to authenticate you' >&2
      exit 1; }
    printf '%s\\n' $STUB_TAGS;;
  "registry repository delete-tag astrid-api "*) ;;
  *) echo "Error: unexpected call" >&2; exit 1;;
esac
"""


@pytest.fixture
def clean(tmp_path):
    (tmp_path / "doctl").write_text(DOCTL)
    (tmp_path / "doctl").chmod(0o755)
    log = tmp_path / "calls"

    def clean(tags: str, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
        environment = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "STUB_LOG": str(log)}
        done = subprocess.run(
            ["make", "--no-print-directory", "registry-clean"],
            cwd=ROOT,
            env={**environment, "STUB_TAGS": tags, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done, log.read_text().splitlines() if log.exists() else []

    return clean


def test_tilts_tags_go_and_release_and_commit_tags_stay(clean):
    dev = "tilt-0a1b2c3d4e5f6a7b tilt-ffeeddccbbaa9988"
    done, calls = clean(f"0.1.0 {dev.split()[0]} 3f2c1d0e9a8b {dev.split()[1]} 0.2.0")
    assert done.returncode == 0, done.stderr
    assert calls[-1] == f"registry repository delete-tag astrid-api {dev} --force"
    assert "keeping 3 tag(s): 0.1.0 3f2c1d0e9a8b 0.2.0" in done.stdout
    assert "read-only while it runs" in done.stdout


@pytest.mark.parametrize(("tags", "kept"), [("0.1.0 0.2.0", "2 tag(s): 0.1.0 0.2.0"), ("", "0 tag(s): ")])
def test_no_tilt_tags_deletes_nothing(clean, tags, kept):
    done, calls = clean(tags)
    assert done.returncode == 0, done.stderr
    assert f"registry-clean: keeping {kept}\n" in done.stdout
    assert not any("delete-tag" in call for call in calls)


def test_a_refused_token_stops_before_deleting_with_the_fix(clean):
    done, calls = clean("tilt-0a1b2c3d4e5f6a7b", STUB_REFUSED="1")
    assert done.returncode != 0
    assert "Unable to authenticate you" in done.stderr  # doctl's own words first
    assert "registry-clean: doctl could not list astrid-api's tags (doctl auth init" in done.stderr
    assert not any("delete-tag" in call for call in calls)
