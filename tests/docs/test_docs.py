"""Every command, target, path, flag and link that README.md and docs/ mention exists."""

import re

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXT = {doc.relative_to(ROOT).as_posix(): doc.read_text() for doc in DOCS}
MAKEFILE = (ROOT / "Makefile").read_text()
TILTFILE = (ROOT / "Tiltfile").read_text()
TOP_LEVEL = {p.name for p in ROOT.iterdir()}


def mentions(pattern: str) -> list[tuple[str, str]]:
    return sorted({(name, m) for name, text in TEXT.items() for m in re.findall(pattern, text)})


def test_the_docs_exist():
    expected = {"development", "architecture", "deploy-doks", "troubleshooting", "decisions", "performance"}
    assert {p.stem for p in (ROOT / "docs").glob("*.md")} >= expected


@pytest.mark.parametrize(("doc", "target"), mentions(r"\bmake ([a-z][a-z-]*)"))
def test_every_make_target_mentioned_exists(doc, target):
    assert re.search(rf"^{re.escape(target)}:", MAKEFILE, re.M), f"{doc} mentions `make {target}`"


@pytest.mark.parametrize(
    ("doc", "flag"), mentions(r"(?:tilt up|tilt down|ARGS=\")\s?-- ((?:--[a-z-]+[ =]?[^\s`\"]*\s?)+)")
)
def test_every_tilt_flag_mentioned_is_a_tiltfile_setting(doc, flag):
    for name in re.findall(r"--([a-z-]+)", flag):
        assert re.search(rf"config\.define_\w+\('{name}'", TILTFILE), f"{doc}: --{name}"


def _paths():
    found = set()
    for name, text in TEXT.items():
        for token in re.findall(r"`([^`\s]+)`", text) + re.findall(r"\]\(([^)#\s]+)", text):
            if token.startswith(("http", "<", "-", "$")) or "<" in token or "*" in token:
                continue
            candidate = token.rstrip(":,.")
            base = (
                ROOT / "docs"
                if name.startswith("docs/") and candidate.endswith(".md") and "/" not in candidate
                else ROOT
            )
            head = candidate.split("/")[0]
            if "/" in candidate and head in TOP_LEVEL or candidate in TOP_LEVEL or base != ROOT:
                found.add((name, str((base / candidate).relative_to(ROOT))))
    return sorted(found)


@pytest.mark.parametrize(("doc", "path"), _paths())
def test_every_repository_path_mentioned_exists(doc, path):
    assert (ROOT / path).exists(), f"{doc} mentions {path}"


def test_the_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in TEXT["README.md"]
    assert re.search(r"^make test$", ci, re.M)


def _shell_blocks():
    """(doc, heading, info string, whether its section links out) for every ```sh… block."""
    found = []
    for name, text in TEXT.items():
        for section in re.split(r"(?m)^(?=#+ )", text):
            heading = section.splitlines()[0] if section else ""
            for info in re.findall(r"(?m)^```(sh.*)$", section):
                found.append((name, heading, info, "](http" in section))
    return found


@pytest.mark.parametrize(("doc", "heading", "info", "links_out"), _shell_blocks())
def test_a_shell_block_runs_in_ci_or_is_manual_and_links_to_the_tools_docs(doc, heading, info, links_out):
    # ```sh blocks run on the loop suite's cluster (tests/loop/test_docs_commands.py), ```sh doks ones
    # when it is a DOKS one and ```sh laptop ones when it is a laptop one; ```sh manual ones cannot run
    # there (DigitalOcean's API, a laptop, the internet) and their section links to the tools' own docs.
    assert info in ("sh", "sh doks", "sh laptop", "sh manual"), f"{doc} {heading}: ```{info}"
    assert info != "sh manual" or links_out, f"{doc} {heading}: a manual block's section needs a link"
