"""Read the real artifacts the contract tests pin together: Dockerfile.api, .dockerignore, values.

Nothing here restates a fact: each helper parses a file or renders the chart, so a test that
compares two of them fails when either file changes alone.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv"}  # big, and excluded by .dockerignore's "*" anyway


@dataclass
class Dockerfile:
    instructions: list[tuple[str, str]]  # (INSTRUCTION, rest of the line), continuations joined

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        text = re.sub(
            r"\\\n",
            " ",
            "\n".join(ln for ln in path.read_text().splitlines() if not ln.lstrip().startswith("#")),
        )
        pairs = [ln.strip().split(None, 1) for ln in text.splitlines() if ln.strip()]
        return cls([(p[0].upper(), p[1] if len(p) > 1 else "") for p in pairs])

    def all(self, name: str) -> list[str]:
        return [rest for instr, rest in self.instructions if instr == name]

    def last(self, name: str) -> str:
        return self.all(name)[-1]

    def copies(self) -> list[tuple[dict[str, str], list[str], str]]:
        """Each COPY as (flags, sources, destination resolved against the WORKDIR in force)."""
        out, workdir = [], "/"
        for instr, rest in self.instructions:
            if instr == "WORKDIR":
                workdir = posixpath.join(workdir, rest.strip())
            if instr == "COPY":
                words = shlex.split(rest)
                flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
                paths = [w for w in words if not w.startswith("--")]
                dest = posixpath.normpath(posixpath.join(workdir, paths[-1]))
                out.append((flags, paths[:-1], dest))
        return out

    def covering(self, local: str) -> tuple[dict[str, str], str]:
        """The COPY that puts build-context path `local` in the image: its flags and where `local` lands."""
        rel = PurePosixPath(local)
        for flags, sources, dest in self.copies():
            for src in sources:
                base = PurePosixPath(src.rstrip("/") or ".")
                if rel == base or base in rel.parents:
                    return flags, posixpath.join(dest, str(rel.relative_to(base)))
        raise AssertionError(f"no COPY in the Dockerfile covers {local}")

    def exec_form(self, name: str) -> list[str]:
        return json.loads(self.last(name))


def uid(user: str) -> int:
    """The numeric user of `USER 10001:10001` or `--chown=10001:10001`."""
    return int(user.split(":")[0])


def dockerignore_admits(root: Path) -> set[str]:
    """Files (relative paths) that .dockerignore lets into the build context: last match wins."""
    rules = []
    for line in (root / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negate = line.startswith("!")
            pattern = posixpath.normpath(line.lstrip("!").strip("/"))
            regex = (
                re.escape(pattern)
                .replace(r"\*\*/", "(.*/)?")
                .replace(r"\*\*", ".*")
                .replace(r"\*", "[^/]*")
                .replace(r"\?", "[^/]")
            )
            rules.append((negate, re.compile(f"^{regex}(/.*)?$")))
    admitted = set()
    for path in walk(root):
        excluded = False
        for negate, regex in rules:
            if regex.match(path):
                excluded = not negate
        if not excluded:
            admitted.add(path)
    return admitted


def walk(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        out += [str(Path(dirpath, f).relative_to(root)) for f in filenames]
    return out


def lookup(values: dict[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        assert isinstance(node, dict), f"{dotted}: {part!r} is under a non-map"
        assert part in node, f"{dotted}: no key {part!r}"
        node = node[part]
    return node
