"""Facts the Tiltfile, the doctor, dev.sh, the Makefile and deploy/kind-cluster.yaml must share."""

import importlib.util
import re
import sys

import pytest
import yaml


def load(root, name):
    """scripts/<name>.py as doctor.py imports it (doctor_checks imports doctor_settings by that name)."""
    spec = importlib.util.spec_from_file_location(name, root / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode, before = True, sys.dont_write_bytecode  # no scripts/__pycache__
    sys.modules[name] = module
    spec.loader.exec_module(module)
    sys.dont_write_bytecode = before
    return module


@pytest.fixture(scope="module")
def settings(root):
    yield load(root, "doctor_settings")
    del sys.modules["doctor_settings"]


@pytest.fixture(scope="module")
def checks(root, settings):
    yield load(root, "doctor_checks")
    del sys.modules["doctor_checks"]


@pytest.fixture(scope="module")
def tiltfile(root):
    return (root / "Tiltfile").read_text()


def test_the_doctor_uses_the_tiltfiles_laptop_prefixes(settings, root, tiltfile):
    listed = tiltfile.split("LOCAL_PREFIXES = [", 1)[1].split("]", 1)[0]
    assert settings.read_tiltfile(root)[1] == re.findall(r"'([^']+)'", listed)
    assert {"kind-", "docker-desktop"} <= set(settings.read_tiltfile(root)[1])


def test_a_prefix_added_to_the_tiltfile_is_a_laptop_cluster_for_the_doctor(sandbox):
    tiltfile = sandbox.root / "Tiltfile"
    tiltfile.write_text(tiltfile.read_text().replace("'microk8s'", "'microk8s', 'lab-'"))
    sandbox.env["STUB_CONTEXT"] = "lab-1"
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    assert "ok    context      lab-1 (laptop cluster)" in done.stdout


def test_the_doctors_refusal_is_the_tiltfiles_word_for_word(checks, tiltfile):
    message = "".join(re.findall(r"'([^']*)'", tiltfile.split("fail((", 1)[1].split("% (context", 1)[0]))
    assert message.startswith('kube context "%s" is not a laptop cluster and is not allowed. ')
    assert message.split("not allowed. ", 1)[1] == checks.FIXES["context"].replace("{0}", "%s")


def test_the_doctor_reads_the_settings_environment_fallbacks_as_the_tiltfile_does(settings, tiltfile):
    for name, (variable, default) in settings.ENV_FALLBACKS.items():
        line = f"cfg.get('{name}', os.getenv('{variable}', ''))" + (f" or '{default}'" if default else "")
        assert line in tiltfile
    assert (
        "cfg.get('allow-context', []) + [c for c in os.getenv('ASTRID_ALLOW_CONTEXT', '').split(',')"
        in tiltfile
    )


def test_the_laptop_cluster_is_one_name_with_its_registry_in_every_file(checks, settings, root, tiltfile):
    registry, cluster = yaml.safe_load_all((root / "deploy" / "kind-cluster.yaml").read_text())
    assert registry == {
        "apiVersion": "ctlptl.dev/v1alpha1",
        "kind": "Registry",
        "name": "astrid-registry",
        "port": 5005,
    }
    assert cluster == {
        "apiVersion": "ctlptl.dev/v1alpha1",
        "kind": "Cluster",
        "product": "kind",
        "name": "kind-astrid",
        "registry": "astrid-registry",
    }
    dev_sh = (root / "scripts" / "dev.sh").read_text()
    assert "LOCAL_CLUSTER=kind-astrid " in dev_sh
    assert "ctlptl apply -f deploy/kind-cluster.yaml" in dev_sh
    makefile = (root / "Makefile").read_text()
    assert "\tctlptl apply -f deploy/kind-cluster.yaml" in makefile
    assert "\tctlptl delete -f deploy/kind-cluster.yaml" in makefile
    assert "\tbash scripts/dev.sh" in makefile
    assert "\tpython3 scripts/doctor.py" in makefile
    assert checks.FIXES["no-context"].startswith("make dev creates the laptop cluster kind-astrid")
    # The Tiltfile deploys to the cluster dev.sh creates without asking (and lets it bring its registry).
    assert any(cluster["name"].startswith(prefix) for prefix in settings.read_tiltfile(root)[1])
