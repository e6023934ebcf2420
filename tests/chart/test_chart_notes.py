"""NOTES.txt tells the user how to reach the api."""

import re

from tests.support.chart import render


def test_notes_port_forward_the_service_and_curl_health(prod):
    assert re.search(r"kubectl .*port-forward svc/astrid-api-service 8080:80$", prod.notes, re.MULTILINE)
    assert "curl http://localhost:8080/health" in prod.notes


def test_notes_follow_release_namespace_and_service_port():
    notes = render({"api": {"service": {"port": 8081}}}, release="demo").notes
    assert "kubectl --namespace astrid port-forward svc/demo-astrid-api-service 8080:8081" in notes
    assert "helm test demo --namespace astrid" in notes


def test_notes_are_not_parsed_as_objects(prod):
    assert prod.notes
    assert all("kind" in o for o in prod.objects + prod.hooks)
