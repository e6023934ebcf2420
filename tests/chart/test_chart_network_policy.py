"""api.networkPolicy: off by default; on, ingress to the api port only from the release's namespace and the
peers the values name. Enforcement is proven on CI's cluster (tests/loop/test_network_policy.py)."""

import kubernetes_validate

from tests.support.chart import render

KUBE_VERSION = kubernetes_validate.latest_version()
PEERS = [
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
    {
        "namespaceSelector": {"matchLabels": {"team": "web"}},
        "podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["frontend"]}]},
    },
]


def enabled(**extra):
    return render({"api": {"networkPolicy": {"enabled": True, **extra}}})


def test_off_by_default(prod, dev):
    assert [o["kind"] for o in prod.objects + dev.objects if o["kind"] == "NetworkPolicy"] == []


def test_it_selects_the_api_pods_and_admits_the_release_namespace_on_the_api_port_only():
    rendered = enabled()
    policy = rendered.one("NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"] == rendered.deployment["spec"]["selector"]["matchLabels"]
    assert policy["policyTypes"] == ["Ingress"]
    # A podSelector without a namespaceSelector means: pods in the policy's own namespace (the release's).
    assert policy["ingress"] == [{"from": [{"podSelector": {}}], "ports": [{"protocol": "TCP", "port": 80}]}]


def test_the_port_follows_the_container_port():
    rendered = render({"api": {"containerPort": 8080, "networkPolicy": {"enabled": True}}})
    assert rendered.one("NetworkPolicy")["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8080}]


def test_named_peers_are_added_after_the_release_namespace():
    assert enabled(**{"from": PEERS}).one("NetworkPolicy")["spec"]["ingress"][0]["from"] == [
        {"podSelector": {}},
        *PEERS,
    ]


def test_the_policy_validates_strictly():
    policy = enabled(**{"from": PEERS}).one("NetworkPolicy")
    kubernetes_validate.validate(policy, KUBE_VERSION, strict=True)
