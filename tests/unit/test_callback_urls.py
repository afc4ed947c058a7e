"""Callback URLs are parsed once into a canonical target, and the allow-list takes names, addresses and ranges."""
from __future__ import annotations

import pytest

from mock_server.domain.callback_urls import CallbackHosts, CallbackTarget, parse_callback_url
from mock_server.domain.errors import InvalidHangupUrl
from mock_server.settings import Settings

DEFAULT = CallbackHosts.parse(Settings().allowed_callback_hosts)


@pytest.mark.parametrize(("given", "target"), [
    ("http://127.0.0.1:8000/hook", CallbackTarget("http", "127.0.0.1", 8000, "/hook", "http://127.0.0.1:8000/hook")),
    ("HTTPS://LocalHost/Crm/Hook?A=B", CallbackTarget("https", "localhost", None, "/Crm/Hook?A=B",
                                                      "https://localhost/Crm/Hook?A=B")),
    ("http://[::1]:9/", CallbackTarget("http", "::1", 9, "/", "http://[::1]:9/")),
    ("http://[FD00::A]/x", CallbackTarget("http", "fd00::a", None, "/x", "http://[fd00::a]/x")),
    ("http://crm.internal:80", CallbackTarget("http", "crm.internal", 80, "", "http://crm.internal:80")),
    ("http://my_host-1.example/x?", CallbackTarget("http", "my_host-1.example", None, "/x?",
                                                   "http://my_host-1.example/x?")),
    ("http://127.0.0.1/a%40b?email=a%40b.c&x=%23", CallbackTarget("http", "127.0.0.1", None,
                                                                  "/a%40b?email=a%40b.c&x=%23",
                                                                  "http://127.0.0.1/a%40b?email=a%40b.c&x=%23")),
])
def test_a_plain_url_is_kept_with_only_scheme_and_host_lower_cased(given, target) -> None:
    assert parse_callback_url(given) == target


def test_a_target_knows_its_address_port_and_netloc() -> None:
    v6 = parse_callback_url("https://[::1]/x")
    assert (str(v6.address), v6.effective_port, v6.netloc) == ("::1", 443, "[::1]")
    name = parse_callback_url("http://localhost:8080/x")
    assert (name.address, name.effective_port, name.netloc) == (None, 8080, "localhost:8080")


@pytest.mark.parametrize(("given", "says"), [
    ("", "is empty"),
    ("http://127.0.0.1/" + "x" * 3000, "at most 2048"),
    ("ftp://127.0.0.1/x", "absolute http:// or https://"),
    ("//127.0.0.1/x", "absolute http:// or https://"),
    ("http:/127.0.0.1/x", "absolute http:// or https://"),
    ("http://[::1/x", "with both brackets"),
    ("http://[::1]x/", "only ':PORT' may follow"),
    ("http://[fe80::1%25lo]/", "zone"),
    ("http://[127.0.0.1]/", "IPv4 address cannot be in brackets"),
    ("http://[0::1]/", "write it as [::1]"),
    ("http://[::ffff:127.0.0.1]/", "write the IPv4 address 127.0.0.1 itself"),
    ("http://::1/", "in brackets"),
    ("http://127.0.0.1:/x", "port ''"),
    ("http://127.0.0.1:http/x", "port 'http'"),
    ("http://127.0.0.1:99999/x", "from 1 to 65535"),
    ("http://127.1/", "four decimal numbers"),
    ("http://127.0.0.01/", "without leading zeros"),
    ("http://256.0.0.1/", "four decimal numbers"),
    ("http://1.2.3.4.5/", "four decimal numbers"),
    ("http://crm.inter!nal/", "not a host name"),
    ("http://-crm.internal/", "not a host name"),
    ("http://crm..internal/", "not a host name"),
    ("http://" + "a" * 64 + ".example/", "not a host name"),
    ("http://crm.internal./", "without the dot"),
])
def test_every_refusal_says_what_is_wrong(given, says) -> None:
    with pytest.raises(InvalidHangupUrl) as refused:
        parse_callback_url(given)
    assert says in refused.value.message


def test_the_allow_list_takes_names_addresses_and_ranges() -> None:
    hosts = CallbackHosts.parse(["127.0.0.1", " LocalHost ", "::1", "10.20.0.0/16", "crm.internal", "fd00::/8", ""])
    assert hosts.entries == ("127.0.0.1", "localhost", "::1", "10.20.0.0/16", "crm.internal", "fd00::/8")
    assert hosts.names == {"localhost", "crm.internal"}
    allowed = ["http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://10.20.255.1/", "http://crm.internal/",
               "http://CRM.Internal/", "http://[fd12::1]/"]
    refused = ["http://127.0.0.2/", "http://10.21.0.1/", "http://crm.internal.example/", "http://internal/",
               "http://localhost.example/", "http://[fe80::1]/", "http://[::2]/", "http://192.168.0.1/"]
    for url in allowed:
        hosts.check(parse_callback_url(url))
    for url in refused:
        with pytest.raises(InvalidHangupUrl, match="is not allowed"):
            hosts.check(parse_callback_url(url))


def test_the_default_allow_list_is_loopback_by_name_and_address_only() -> None:
    assert Settings().allowed_callback_hosts == ("127.0.0.1", "localhost", "::1")
    DEFAULT.check(parse_callback_url("http://127.0.0.1:1/"))
    with pytest.raises(InvalidHangupUrl) as refused:
        DEFAULT.check(parse_callback_url("http://127.0.0.2:1/"))
    assert refused.value.message == (
        "address '127.0.0.2' is not allowed (an address must be listed or inside a listed range); allowed: "
        "127.0.0.1, localhost, ::1. Add it with `ccs-mock serve --allow-callback-host HOST_OR_CIDR` or the setting "
        "allowed_callback_hosts")
    with pytest.raises(InvalidHangupUrl, match="names are matched exactly, without resolving them"):
        DEFAULT.check(parse_callback_url("http://crm.internal/"))


def test_the_allow_list_comes_from_the_environment_as_a_comma_list() -> None:
    settings = Settings.load(env={"CCS_MOCK_ALLOWED_CALLBACK_HOSTS": "127.0.0.1, 10.20.0.0/16,crm.internal"})
    hosts = CallbackHosts.parse(settings.allowed_callback_hosts)
    hosts.check(parse_callback_url("http://10.20.3.4/"))
    assert hosts.describe() == "127.0.0.1, 10.20.0.0/16, crm.internal"


@pytest.mark.parametrize(("entry", "says"), [
    ("10.20.1.0/16", "did you mean 10.20.0.0/16?"),
    ("10.20.0.0/33", "not an IP address or CIDR range"),
    ("crm internal", "not a host name"),
    ("127.1", "four decimal numbers"),
    ("localhost.", "without the dot"),
])
def test_a_bad_allow_list_entry_is_named(entry, says) -> None:
    with pytest.raises(ValueError) as refused:
        CallbackHosts.parse(["127.0.0.1", entry])
    assert repr(entry) in str(refused.value) and says in str(refused.value)
