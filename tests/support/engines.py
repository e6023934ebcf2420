"""Docker and HTTP helpers shared by the image, loop and reliability tests."""

import http.client
import json
import os
import socket
import subprocess
import time
import urllib.request

from tests.conftest import ROOT


def sh(*argv: str, check: bool = True, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def base_image() -> str:
    """The Dockerfile's base (or the local stand-in scripts/base-image.sh makes when registries are
    unreachable)."""
    return sh("bash", str(ROOT / "scripts" / "base-image.sh"), timeout=1200).stdout.split()[-1]


def build_image(tag: str, target: str | None = "production") -> str:
    """Dockerfile.api's `target` stage (production, as `make image` builds it; None: the default, the
    last stage) on its base, with the classic builder: Debian's Docker has no buildx."""
    build = [
        "docker",
        "build",
        "-q",
        "-f",
        str(ROOT / "Dockerfile.api"),
        "--build-arg",
        f"BASE_IMAGE={base_image()}",
    ]
    if target:
        build += ["--target", target]
    sh(*build, "-t", f"astrid-api:{tag}", str(ROOT), env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return f"astrid-api:{tag}"


def image_inspect(ref: str) -> dict:
    """`docker image inspect` of one image."""
    return json.loads(sh("docker", "image", "inspect", ref).stdout)[0]


def python_in(image: str, code: str, check: bool = True) -> subprocess.CompletedProcess:
    """`python -c code` in a throwaway container of `image`, its entrypoint bypassed."""
    return sh("docker", "run", "--rm", "--entrypoint", "python", image, "-c", code, check=check)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback test URL)
        return resp.status, resp.read()


def wait_until(what: str, probe, timeout: float = 120, poll: float = 0.5):
    """Poll `probe()` until it returns something truthy; bounded by `timeout`. Refused, reset and
    half-written answers (a server starting or reloading) count as not yet."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except (OSError, RuntimeError, ValueError, http.client.HTTPException) as exc:
            last = exc
        time.sleep(poll)
    raise AssertionError(f"{what}: not true after {timeout}s; last: {last!r}")


def wait_for(url: str, timeout: float = 30.0, expect: bytes | None = None, poll: float = 0.05) -> bytes:
    """`url`'s body once it answers 200 (and `expect`, if given), polled every `poll` s."""

    def answer() -> bytes | None:
        status, body = get(url)
        return body if status == 200 and (expect is None or body == expect) else None

    return wait_until(f"{url} answers", answer, timeout, poll)


def remove(*containers: str) -> None:
    subprocess.run(["docker", "rm", "-f", "-v", *containers], capture_output=True, check=False)
