"""Image figures: code-only rebuild on a warm cache, full cold build, image size."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.report import MB, Figure
from bench.tools import ROOT, inspect, run

CONTEXT = ("Dockerfile.api", ".dockerignore", "requirements.txt", "src")
CHANGED = Path("src/api/main.py")
CLASSIC = {**os.environ, "DOCKER_BUILDKIT": "0"}  # Debian's Docker has no buildx


class Builder:
    """Builds a copy of the image's context (classic builder, one BASE_IMAGE); untags all it built."""

    def __init__(self, tmp: Path, base: str) -> None:
        self.context, self.base, self.tags = tmp, base, []
        self.prefix = f"astrid-api:bench-{uuid.uuid4().hex[:8]}"
        for name in CONTEXT:
            if (ROOT / name).is_dir():
                shutil.copytree(
                    ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            else:
                shutil.copy2(ROOT / name, tmp / name)

    def build(self, *flags: str) -> tuple[str, float]:
        ref = f"{self.prefix}-{len(self.tags)}"
        self.tags.append(ref)
        argv = ["docker", "build", "-q", "-f", str(self.context / "Dockerfile.api"), *flags, "-t", ref]
        start = time.perf_counter()
        run(*argv, "--build-arg", f"BASE_IMAGE={self.base}", str(self.context), env=CLASSIC, timeout=1800)
        return ref, time.perf_counter() - start

    def touch_source(self) -> None:
        """A code change: the same file with a new trailing comment."""
        original = (ROOT / CHANGED).read_text()
        (self.context / CHANGED).write_text(f"{original}\n# bench change {uuid.uuid4().hex}\n")

    def remove(self) -> None:
        """Untag everything built here (docker prunes the untagged layers only this run made)."""
        subprocess.run(["docker", "image", "rm", *reversed(self.tags)], capture_output=True, check=False)


def build_figures(builder: Builder, warm_rounds: int, cold_rounds: int) -> list[Figure]:
    """Interleaved: warm rebuild, cold build, warm rebuild, ... (the cold builds last as long as needed)."""
    warm: list[float] = []
    cold: list[float] = []
    for i in range(max(warm_rounds, cold_rounds)):
        if i < warm_rounds:
            builder.touch_source()
            warm.append(builder.build()[1])
            print(f"  code-only rebuild {i + 1}/{warm_rounds}: {warm[-1]:.2f} s", file=sys.stderr)
        if i < cold_rounds:
            cold.append(builder.build("--no-cache")[1])
            print(f"  cold build {i + 1}/{cold_rounds}: {cold[-1]:.1f} s", file=sys.stderr)
    return [
        Figure("2 code-only rebuild (warm cache, src change)", "s", warm, ("<=", 5.0)),
        Figure("  full cold build (--no-cache, pip downloads)", "s", cold),
    ]


def size_figures(image: str, base: str) -> list[Figure]:
    size, base_size = inspect(image)["Size"], inspect(base)["Size"]
    overhead = {"bytes": size - base_size, "base_bytes": base_size}
    return [
        Figure("3 image size", "MB", [size / MB], extra={"bytes": size}),
        Figure(
            "  overhead above the base image", "MB", [(size - base_size) / MB], ("<=", 30.0), extra=overhead
        ),
    ]
