"""A refused manifest in short words: the Status bodies below are what kube-apiserver v1.36 answered to the
app's server-side apply (and to kubectl's --validate=strict create), captured from the real local stack."""

from __future__ import annotations

from typing import Any

import pytest

from tui.models.deploy.refusal import bad_quantities, did_you_mean, explain, is_quantity, known_fields

QUANTITY_REGEX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": list(containers), **spec},
    }


def typed_patch(path: str, problem: str, name: str = "p", kind: str = "/v1, Kind=Pod") -> dict[str, Any]:
    """A body as the API server sends it for server-side apply (500, no details)."""
    message = f"failed to create typed patch object (/{name}; {kind}): {path}: {problem}"
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "code": 500}


def said(body: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    return explain(body, body["message"], manifest)


MAIN = {"name": "main", "image": "busybox"}


@pytest.mark.parametrize(
    ("ssa_path", "manifest", "words"),
    [
        (
            '.spec.containers[name="main"].imagee',
            pod({"name": "main", "imagee": "busybox"}),
            "unknown field 'imagee' in spec.containers[0] (did you mean 'image'?)",
        ),
        (
            '.spec.containers[name="side"].comand',
            pod(MAIN, {"name": "side", "image": "b", "comand": ["x"]}),
            "unknown field 'comand' in spec.containers[1] (did you mean 'command'?)",
        ),
        (
            '.spec.containers[name="main"].volumeMounts[mountPath=""].mountPth',
            pod(dict(MAIN, volumeMounts=[{"name": "x", "mountPth": "/x"}])),
            "unknown field 'mountPth' in spec.containers[0].volumeMounts[0] (did you mean 'mountPath'?)",
        ),
        (
            '.spec.containers[name="main"].env[name="A"].valu',
            pod(dict(MAIN, env=[{"name": "B", "value": "2"}, {"name": "A", "valu": "1"}])),
            "unknown field 'valu' in spec.containers[0].env[1] (did you mean 'value'?)",
        ),
        (
            '.spec.containers[name="main"].volume_mounts',
            pod(dict(MAIN, volume_mounts=[])),
            "unknown field 'volume_mounts' in spec.containers[0] (did you mean 'volumeMounts'?)",
        ),
        (
            '.spec.volumes[name="v"].emptyDirr',
            pod(MAIN, volumes=[{"name": "v", "emptyDirr": {}}]),
            "unknown field 'emptyDirr' in spec.volumes[0] (did you mean 'emptyDir'?)",
        ),
        (
            ".spec.restartPolicyy",
            pod(MAIN, restartPolicyy="Never"),
            "unknown field 'restartPolicyy' in spec (did you mean 'restartPolicy'?)",
        ),
        (
            ".metadata.labelz",
            dict(pod(MAIN), metadata={"name": "p", "labelz": {}}),
            "unknown field 'labelz' in metadata (did you mean 'labels'?)",
        ),
        (".specc", dict(pod(MAIN), specc={}), "unknown field 'specc' at the top level (did you mean 'spec'?)"),
        ('.spec.containers[name="main"].zzz', pod(dict(MAIN, zzz=1)), "unknown field 'zzz' in spec.containers[0]"),
    ],
)
def test_an_unknown_field_is_named_where_the_user_wrote_it_with_the_field_meant(
    ssa_path: str, manifest: dict[str, Any], words: str
) -> None:
    assert said(typed_patch(ssa_path, "field not declared in schema"), manifest) == [words]


def test_an_unknown_field_in_a_jobs_pod_template_is_found_in_the_template() -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "prep"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "imagee": "b"}]}}},
    }
    body = typed_patch(
        '.spec.template.spec.containers[name="main"].imagee',
        "field not declared in schema",
        "prep",
        "batch/v1, Kind=Job",
    )
    assert said(body, job) == ["unknown field 'imagee' in spec.template.spec.containers[0] (did you mean 'image'?)"]


@pytest.mark.parametrize(
    ("ssa_path", "problem", "manifest", "words"),
    [
        (
            '.spec.containers[name="main"].args',
            "expected list, got &{--epochs 3}",
            pod(dict(MAIN, args="--epochs 3")),
            "spec.containers[0].args must be a list, not '--epochs 3' (a string)",
        ),
        (
            '.spec.containers[name="main"].image',
            "expected string, got &value.valueUnstructured{Value:3}",
            pod({"name": "main", "image": 3}),
            "spec.containers[0].image must be a string, not 3 (a number): quote it",
        ),
        (
            '.spec.containers[name="main"].env[name="A"].value',
            "expected string, got &value.valueUnstructured{Value:1}",
            pod(dict(MAIN, env=[{"name": "A", "value": 1}])),
            "spec.containers[0].env[0].value must be a string, not 1 (a number): quote it",
        ),
        (
            '.spec.containers[name="main"].ports[containerPort="http",protocol="TCP"].containerPort',
            "expected numeric (int or float), got string",
            pod(dict(MAIN, ports=[{"containerPort": "http"}])),
            "spec.containers[0].ports[0].containerPort must be a number, not 'http' (a string)",
        ),
        (
            '.spec.containers[name="main"].tty',
            "expected boolean, got &{yes}",
            pod(dict(MAIN, tty="yes")),
            "spec.containers[0].tty must be true or false, not 'yes' (a string)",
        ),
        (
            ".spec.nodeSelector",
            "expected map, got &{[a]}",
            pod(MAIN, nodeSelector=["a"]),
            'spec.nodeSelector must be a map (key: value), not ["a"] (a list)',
        ),
        (
            ".metadata.labels.app.kubernetes.io/name",
            "expected string, got &value.valueUnstructured{Value:1}",
            dict(pod(MAIN), metadata={"name": "p", "labels": {"app.kubernetes.io/name": 1}}),
            'metadata.labels["app.kubernetes.io/name"] must be a string, not 1 (a number): quote it',
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_the_type_wanted_and_the_value_given(
    ssa_path: str, problem: str, manifest: dict[str, Any], words: str
) -> None:
    assert said(typed_patch(ssa_path, problem), manifest) == [words]


@pytest.mark.parametrize(
    ("message", "manifest", "words"),
    [
        (
            "failed to convert new object (/p; /v1, Kind=Pod) to proper version: unable to convert unstructured "
            "object to /v1, Kind=Pod: unable to parse quantity's suffix",
            pod(dict(MAIN, resources={"limits": {"memory": "2GG", "cpu": 1}})),
            "spec.containers[0].resources.limits.memory: '2GG' is not a quantity (like 2Gi, 512Mi, 1.5, 500m)",
        ),
        (
            "failed to convert new object (/p; /v1, Kind=Pod) to proper version: unable to convert unstructured "
            f"object to /v1, Kind=Pod: {QUANTITY_REGEX}",
            pod(dict(MAIN, resources={"requests": {"cpu": "lots", "memory": "1Gi"}})),
            "spec.containers[0].resources.requests.cpu: 'lots' is not a quantity (like 2Gi, 512Mi, 1.5, 500m)",
        ),
        (
            f'Pod in version "v1" cannot be handled as a Pod: {QUANTITY_REGEX}',  # a create's words (400)
            pod(MAIN, volumes=[{"name": "v", "emptyDir": {"sizeLimit": "1Gx"}}]),
            "spec.volumes[0].emptyDir.sizeLimit: '1Gx' is not a quantity (like 2Gi, 512Mi, 1.5, 500m)",
        ),
    ],
)
def test_a_bad_quantity_is_found_in_the_manifest_the_api_names_none(
    message: str, manifest: dict[str, Any], words: str
) -> None:
    body = {"kind": "Status", "status": "Failure", "message": message, "code": 500}
    assert said(body, manifest) == [words]


def invalid(message: str, causes: list[dict[str, str]], name: str = "p", kind: str = "Pod") -> dict[str, Any]:
    return {
        "kind": "Status",
        "status": "Failure",
        "message": message,
        "reason": "Invalid",
        "details": {"name": name, "kind": kind, "causes": causes},
        "code": 422,
    }


def test_each_cause_of_an_invalid_object_is_one_short_line_without_the_validation_regex() -> None:
    body = invalid(
        'Pod "p8" is invalid: [spec.containers[0].image: Required value, spec.containers[0].resources.requests: '
        'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi]',
        [
            {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"},
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
                "field": "spec.containers[0].resources.requests",
            },
        ],
    )
    assert said(body, pod({"name": "main"})) == [
        "spec.containers[0].image is required",
        'spec.containers[0].resources.requests "2Gi": must be less than or equal to memory limit of 1Gi',
    ]
    name = invalid(
        'Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": …',
        [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case '
                "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
                "[a-z0-9])?)*')",
                "field": "metadata.name",
            }
        ],
    )
    assert said(name, pod(MAIN)) == [
        'metadata.name "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '
        "'-' or '.', and must start and end with an alphanumeric character"
    ]
    policy = invalid(
        'Pod "p10" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"OnFailure", "Never"',
        [
            {
                "reason": "FieldValueNotSupported",
                "message": 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
                "field": "spec.restartPolicy",
            }
        ],
    )
    assert said(policy, pod(MAIN, restartPolicy="Sometimes")) == [
        'spec.restartPolicy "Sometimes": supported values: "Always", "OnFailure", "Never"'
    ]


def test_a_required_value_that_is_there_is_said_to_be_not_allowed_here() -> None:
    """A Job's pods may not restart Always; the API calls it "Required value", the user wrote one."""
    body = invalid(
        'Job.batch "prep" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", '
        '"Never"',
        [
            {
                "reason": "FieldValueRequired",
                "message": 'Required value: valid values: "OnFailure", "Never"',
                "field": "spec.template.spec.restartPolicy",
            }
        ],
        "prep",
        "Job",
    )
    job = {"kind": "Job", "spec": {"template": {"spec": {"restartPolicy": "Always", "containers": [MAIN]}}}}
    assert said(body, job) == [
        'spec.template.spec.restartPolicy \'Always\' is not allowed here (valid values: "OnFailure", "Never")'
    ]


def test_strict_decoding_names_every_unknown_field() -> None:
    body = {
        "kind": "Status",
        "status": "Failure",
        "message": 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field '
        '"spec.containers[0].comand", unknown field "spec.containers[0].imagee"',
        "reason": "BadRequest",
        "code": 400,
    }
    assert said(body, pod({"name": "main", "imagee": "b", "comand": ["x"]})) == [
        "unknown field 'comand' in spec.containers[0] (did you mean 'command'?)",
        "unknown field 'imagee' in spec.containers[0] (did you mean 'image'?)",
    ]


def test_what_cannot_be_said_better_is_left_to_the_apis_own_words() -> None:
    forbidden = invalid(
        'Pod "upd" is invalid: spec: Forbidden: pod updates may not change fields other than …\n@@ -95,7 +95,7 @@',
        [{"reason": "FieldValueForbidden", "message": "Forbidden: pod updates may not change fields", "field": "spec"}],
    )
    assert said(forbidden, pod(MAIN)) == []
    quota = {"kind": "Status", "message": 'pods "second" is forbidden: exceeded quota: one-pod', "code": 403}
    assert said(quota, pod(MAIN)) == []
    # A quantity refusal with no quantity of the manifest at fault, a path the manifest does not hold, no body.
    assert explain(None, f"x: {QUANTITY_REGEX}", pod(dict(MAIN, resources={"limits": {"cpu": "1"}}))) == []
    assert said(typed_patch('.spec.containers[name="gone"].imagee', "field not declared in schema"), pod(MAIN)) == []
    assert said(typed_patch(".spec.x", "something new"), pod(MAIN)) == []
    assert explain(None, "HTTP 500 Internal Server Error", pod(MAIN)) == []
    hostile = typed_patch('.spec.containers[name="ma]in\\"x"', "field not declared in schema")  # unclosed bracket
    assert said(hostile, pod(MAIN)) == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2Gi", True),
        ("512Mi", True),
        ("500m", True),
        ("1.5", True),
        ("1e3", True),
        ("1E-3", True),
        (".5", True),
        ("+1k", True),
        ("0", True),
        ("2GG", False),
        ("1.5.5", False),
        ("lots", False),
        ("", False),
        ("1 Gi", False),
        ("1gi", False),
        ("1Kb", False),
    ],
)
def test_quantities_as_the_api_server_parses_them(text: str, ok: bool) -> None:
    assert is_quantity(text) is ok


def test_only_quantity_fields_are_looked_at_and_numbers_are_fine() -> None:
    manifest = pod(
        dict(
            MAIN, args=["2GG"], resources={"limits": {"nvidia.com/gpu": 1, "memory": "lots"}, "requests": {"cpu": "1"}}
        )
    )
    assert bad_quantities(manifest) == [(["spec", "containers", 0, "resources", "limits", "memory"], "lots")]


def test_known_fields_come_from_the_clients_models_and_did_you_mean_needs_a_close_name() -> None:
    assert {"image", "command", "volumeMounts"} <= set(known_fields("Pod", ["spec", "containers", 0]))
    assert {"mountPath", "name"} <= set(known_fields("Pod", ["spec", "containers", 0, "volumeMounts", 0]))
    assert "template" in known_fields("Job", ["spec"])
    assert known_fields("Pod", ["metadata", "labels"]) == []  # a map: any key goes
    assert known_fields("Widget", []) == []
    assert did_you_mean("Image", ["image", "imagePullPolicy"]) == "image"
    assert did_you_mean("working_dir", ["workingDir"]) == "workingDir"
    assert did_you_mean("zzz", ["image", "command"]) is None
