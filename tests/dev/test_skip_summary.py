"""A local run that skipped engine tests says so last, with the switch that makes them fail."""

from tests.conftest import ROOT

pytest_plugins = ["pytester"]


def test_a_run_with_skips_ends_by_naming_them_and_the_switch(pytester):
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile(
        "import pytest\n\ndef test_needs_docker():\n    pytest.skip('docker is not installed')\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    said, final = result.outlines[-2:]  # just above pytest's own last line
    assert said.startswith("1 test(s) skipped for a missing engine") and "1 skipped" in final
    assert "ASTRID_REQUIRE_ENGINES=1 fails them" in said


def test_a_run_without_skips_adds_nothing(pytester):
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile("def test_fine():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert "skipped for a missing engine" not in result.stdout.str()
