"""Facts the doctor, dev.sh, the Makefile and kind-cluster.yaml must share."""

import runpy

import yaml

from tests.conftest import ROOT


def test_the_laptop_cluster_is_one_name_with_its_registry_in_every_file():
    registry, cluster = yaml.safe_load_all((ROOT / "kind-cluster.yaml").read_text())
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
    dev_sh = (ROOT / "scripts" / "dev.sh").read_text()
    assert "LOCAL_CLUSTER=kind-astrid " in dev_sh
    assert "ctlptl apply -f kind-cluster.yaml" in dev_sh
    assert runpy.run_path(str(ROOT / "scripts" / "doctor_access.py"))["LAPTOP"] == "kind-astrid"
    makefile = (ROOT / "Makefile").read_text()
    assert "\tctlptl apply -f kind-cluster.yaml" in makefile
    assert "\tctlptl delete -f kind-cluster.yaml" in makefile
    assert "\tbash scripts/dev.sh" in makefile
    assert "\tpython3 scripts/doctor.py" in makefile
