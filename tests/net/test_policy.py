"""URL and host:port validation: what is accepted, and the words used for what is not."""

from __future__ import annotations

import re

import pytest

from kairos.net.policy import parse_http_url, validate_host_port, validate_http_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://Example.COM", "http://example.com/"),
        ("https://example.com:8443/a/b?x=1", "https://example.com:8443/a/b?x=1"),
        ("https://[::1]:8443/health", "https://[::1]:8443/health"),
        ("http://127.0.0.1/a path", None),
    ],
)
def test_it_normalises_valid_urls(url: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="whitespace"):
            validate_http_url(url)
    else:
        assert validate_http_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/file", "scheme 'ftp' is not supported; use http or https"),
        ("javascript:alert(1)", "scheme 'javascript' is not supported; use http or https"),
        ("http:///path", "URL has no host"),
        ("http://:80/", "URL has no host"),
        ("http://example.com:70000/", "port 70000 is out of range 1-65535"),
        ("http://example.com:0/", "port 0 is out of range 1-65535"),
        ("http://alice:s3cret@example.com/", "URL contains a password"),
        ("example.com", "URL has no scheme"),
        ("localhost:8080", "URL has no scheme"),
        ("http://exa mple.com/", "whitespace"),
        ("http://" + "a" * 2050 + ".com/", "longer than 2048"),
        ("http://bad_-.host-/", "not a valid host name"),
        ("http://999.1.1.1/", "not a valid IPv4 address"),
        ("http://[::zz]/", "does not appear to be an IPv4 or IPv6 address"),
    ],
)
def test_it_refuses_invalid_urls_with_a_precise_message(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_http_url(url)


def test_it_never_echoes_a_password_from_the_url() -> None:
    with pytest.raises(ValueError) as caught:
        validate_http_url("https://alice:hunter2@example.com/")
    assert "hunter2" not in str(caught.value)


def test_it_splits_a_url_for_the_client() -> None:
    target = parse_http_url("https://[2001:db8::1]:8443/p?q=1#frag")
    assert (target.host, target.port, target.target) == ("2001:db8::1", 8443, "/p?q=1")
    assert target.host_header == "[2001:db8::1]:8443"
    assert parse_http_url("https://Example.com/").host_header == "example.com"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("db.example.com:5432", ("db.example.com", 5432)),
        ("127.0.0.1:22", ("127.0.0.1", 22)),
        ("[::1]:443", ("::1", 443)),
        ("[2001:DB8::1]:443", ("2001:db8::1", 443)),
    ],
)
def test_it_parses_host_and_port(target: str, expected: tuple[str, int]) -> None:
    assert validate_host_port(target) == expected


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("db.example.com", "port is missing"),
        ("db.example.com:99999", "port 99999 is out of range 1-65535"),
        ("db.example.com:http", "port 'http' is not a number"),
        ("::1:443", "put IPv6 addresses in brackets"),
        ("[::1", "missing its closing"),
        ("tcp://db:5432", "without a scheme"),
        ("", "target is empty"),
        (":5432", "URL has no host"),
    ],
)
def test_it_refuses_invalid_host_port_targets(target: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_host_port(target)
