"""What the user types for a forward, a pod's declared ports as choices, and the kubelet's words shortened."""

from __future__ import annotations

import pytest

from tui.models.forward.forward import ForwardSpec, kubelet_words
from tui.models.forward.ports import PortChoice, PortRequest, declared_ports, parse_request

KUBELET_REFUSAL = (
    "error forwarding port 8080 to pod 4726d0b4, uid : failed to execute portforward in network namespace "
    '"/run/netns/cni-55a9": failed to connect to localhost:8080 inside namespace "4726d0b4", IPv4: dial tcp4 '
    "127.0.0.1:8080: connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found"
)


@pytest.mark.parametrize(
    ("typed", "request_"),
    [
        ("6006", PortRequest(6006, None, "127.0.0.1")),
        ("16006:6006", PortRequest(6006, 16006, "127.0.0.1")),
        ("0.0.0.0:16006:6006", PortRequest(6006, 16006, "0.0.0.0")),
        ("[::1]:16006:6006", PortRequest(6006, 16006, "::1")),
        ("8888 jupyter/TCP (main)", PortRequest(8888, None, "127.0.0.1")),  # a choice's label
    ],
)
def test_typed_ports_in_kubectls_order(typed: str, request_: PortRequest) -> None:
    assert parse_request(typed) == request_


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "type a port (REMOTE, LOCAL:REMOTE or ADDRESS:LOCAL:REMOTE)"),
        ("tensorboard", "port 'tensorboard' is not a port number"),
        ("70000", "port 70000 is outside 1-65535"),
        ("x:6006", "local port 'x' is not a port number"),
        ("example.com:1:2", "'example.com' is not an IP address to listen on"),
        ("[::1:1:2", "'[::1:1:2': an IPv6 address needs its closing ]"),
    ],
)
def test_bad_ports_are_refused_in_words(typed: str, words: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_request(typed)
    assert str(refused.value) == words


def test_declared_ports_skip_what_is_not_a_port() -> None:
    spec = {
        "containers": [
            {"name": "main", "ports": [{"containerPort": 6006, "name": "tb"}, {"containerPort": "x"}, "junk"]},
            {"name": "side", "ports": [{"containerPort": 8888, "protocol": "UDP"}, {"containerPort": 0}]},
            "not a container",
        ]
    }
    assert declared_ports(spec) == [PortChoice(6006, "tb", "TCP", "main"), PortChoice(8888, "", "UDP", "side")]
    assert [choice.label for choice in declared_ports(spec)] == ["6006 tb/TCP (main)", "8888/UDP (side)"]
    assert declared_ports({"containers": "x"}) == []


def test_the_kubelets_refusal_is_shortened_to_what_a_user_acts_on() -> None:
    assert kubelet_words(KUBELET_REFUSAL, 8080) == "port 8080 in the pod: connection refused (nothing listens there)"
    assert kubelet_words("something else\nentirely", 1) == "something else entirely"
    assert kubelet_words("x" * 500, 1).endswith("…") and len(kubelet_words("x" * 500, 1)) == 240


def test_a_forward_says_where_it_goes() -> None:
    spec = ForwardSpec("walk", "train-7", 6006, 6006, experiment="train")
    assert spec.summary == "http://127.0.0.1:6006 → walk/train:6006"
    assert ForwardSpec("walk", "train", 1, 2, address="::1").url == "http://[::1]:2"
