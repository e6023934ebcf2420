"""values.schema.json rejects bad values with a message that names the field."""

import helm_python
import pytest

from tests.support.chart import dev_values, render

P = pytest.param
BAD_VALUES = [
    P({"api": {"replicaCount": "2"}}, "'/api/replicaCount'", "want integer", id="replicas-string"),
    P({"api": {"replicas": 2}}, "'/api'", "'replicas' not allowed", id="typo-under-api"),
    P({"api": {"image": {"tags": "abc"}}}, "'/api/image'", "'tags' not allowed", id="typo-in-image"),
    P({"apii": {}}, "at ''", "'apii' not allowed", id="typo-top-level"),
    P({"api": {"image": {"tag": "latest"}}}, "'/api/image/tag'", "", id="tag-latest"),
    P({"api": {"image": {"tag": "LATEST"}}}, "'/api/image/tag'", "", id="tag-LATEST"),
    P({"api": {"containerPort": 0}}, "'/api/containerPort'", "minimum", id="port-0"),
    P({"api": {"containerPort": 65536}}, "'/api/containerPort'", "maximum", id="port-65536"),
    P({"api": {"image": {"pullPolicy": "Sometimes"}}}, "'/api/image/pullPolicy'", "", id="pull"),
    P({"api": {"server": {"reload": "true"}}}, "'/api/server/reload'", "want boolean", id="reload"),
    P({"api": {"server": {"reload": 1}}}, "'/api/server/reload'", "want boolean", id="reload"),
]


@pytest.mark.parametrize(("values", "field", "detail"), BAD_VALUES)
def test_bad_values_are_rejected_naming_the_field(chart, values, field, detail):
    with pytest.raises(helm_python.HelmValuesError) as caught:
        chart.validate_schema(chart.merge_values(values))
    assert field in str(caught.value)
    assert detail in str(caught.value)


@pytest.mark.parametrize(("values", "field", "detail"), BAD_VALUES)
def test_render_refuses_bad_values_too(values, field, detail):
    with pytest.raises(helm_python.HelmValuesError, match="values don't meet the specifications") as caught:
        render(values)
    assert field in str(caught.value)


def test_good_values_pass(chart):
    chart.validate_schema(chart.merge_values({}))
    chart.validate_schema(chart.merge_values(dev_values()))
    tilt = helm_python.parse_set_string(
        "api.image.repository=localhost:5005/astrid-api,api.image.tag=tilt-0a"
    )
    chart.validate_schema(chart.merge_values(tilt))
    chart.validate_schema(chart.merge_values({"api": {"replicaCount": 3, "containerPort": 65535}}))
