"""Image figures: code-only rebuild on a warm cache, full cold build, image size."""

import shutil
import sys
import time
import uuid
from pathlib import Path

from bench.report import MB, Figure
from tests.support.engines import BUILD_ENV, IMAGE_NAME, ROOT, image_config, sh

CONTEXT = ("Dockerfile.api", ".dockerignore", "requirements.txt", "src")
CHANGED = Path("src/api/main.py")


def copy_context(dest: Path) -> Path:
    """Dockerfile.api, .dockerignore, requirements.txt and src/ (no bytecode) in a temp dir."""
    for name in CONTEXT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, dest / name)
    return dest


class Builder:
    """Builds with the classic builder and one BASE_IMAGE; remembers its tags to remove them."""

    def __init__(self, context: Path, base: str) -> None:
        self.context, self.base = context, base
        self.run_id = uuid.uuid4().hex[:8]
        self.tags: list[str] = []

    def build(self, no_cache: bool = False) -> tuple[str, float]:
        ref = f"{IMAGE_NAME}:bench-{self.run_id}-{len(self.tags)}"
        self.tags.append(ref)
        argv = [
            "docker",
            "build",
            "-q",
            "-f",
            str(self.context / "Dockerfile.api"),
            "--build-arg",
            f"BASE_IMAGE={self.base}",
            *(["--no-cache"] if no_cache else []),
            "-t",
            ref,
            str(self.context),
        ]
        start = time.perf_counter()
        sh(*argv, env=BUILD_ENV, timeout=1800)
        return ref, time.perf_counter() - start

    def touch_source(self) -> None:
        """A code change: the same file with a new trailing comment."""
        path = self.context / CHANGED
        original = (ROOT / CHANGED).read_text()
        path.write_text(f"{original}\n# bench change {uuid.uuid4().hex}\n")

    def remove(self) -> None:
        """Untag everything built here (docker prunes the untagged layers only this run made)."""
        for ref in reversed(self.tags):
            sh("docker", "image", "rm", ref, check=False)


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
            cold.append(builder.build(no_cache=True)[1])
            print(f"  cold build {i + 1}/{cold_rounds}: {cold[-1]:.1f} s", file=sys.stderr)
    return [
        Figure("2 code-only rebuild (warm cache, src change)", "s", warm, ("<=", 5.0)),
        Figure("  full cold build (--no-cache, pip downloads)", "s", cold),
    ]


def size_figures(image: str, base: str) -> list[Figure]:
    size, base_size = image_config(image)["Size"], image_config(base)["Size"]
    return [
        Figure("3 image size", "MB", [size / MB], extra={"bytes": size}),
        Figure(
            "  overhead above the base image",
            "MB",
            [(size - base_size) / MB],
            ("<=", 30.0),
            extra={"bytes": size - base_size, "base_bytes": base_size},
        ),
    ]
