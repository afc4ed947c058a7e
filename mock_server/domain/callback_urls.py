"""Callback URLs (hangup_url, the notification URL): parsed once, normalised, checked against the allow-list.

Different URL parsers read some URLs differently (``http://127.0.0.2:1\\@127.0.0.1/`` has host 127.0.0.1
for ``urllib.parse`` and 127.0.0.2 for urllib3), so a URL is accepted only when there is nothing to
disagree about: printable ASCII, no backslash, no ``@`` (user info), no fragment, a host that is a
lower-case name of letters, digits, ``-`` and ``_`` labels, a canonical dotted-quad IPv4 address or a
canonical bracketed IPv6 address (not an IPv4-mapped one), an explicit port from 1 to 65535, and a URL
that reads back the same when rebuilt from its parts (up to the case of scheme and host). What is kept
and sent is the rebuilt, canonical URL.

``CallbackHosts`` is ``allowed_callback_hosts``: host names (exact, case-insensitive), IP addresses and
CIDR ranges. The domain checks a target's host against it: a name must be listed by name (the domain does
not resolve names); an address must be listed or inside a listed range. The delivery layer checks again
when it sends, with the names resolved, and connects to the address it checked.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Iterable, Union
from urllib.parse import urlsplit

from mock_server.domain.errors import InvalidHangupUrl

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")  # a last label like this makes WHATWG parse IPv4


@dataclass(frozen=True)
class CallbackTarget:
    """A callback URL as it will be sent: ``url`` is canonical (what is stored, shown and requested)."""

    scheme: str  # "http" or "https"
    host: str  # lower-case name, dotted-quad IPv4, or IPv6 without brackets
    port: int | None  # as written; None: the scheme's default
    target: str  # path and query, as written ("" for none)
    url: str

    @property
    def address(self) -> Address | None:
        """The host as an IP address, or None for a name."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


def parse_callback_url(url: str) -> CallbackTarget:
    """The target of a callback URL, or ``InvalidHangupUrl`` saying what is wrong and what to write instead."""
    if not isinstance(url, str) or not url:
        raise InvalidHangupUrl("is empty: give an absolute http:// or https:// URL")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidHangupUrl(f"is {len(url)} characters long; at most {MAX_URL_LENGTH} are accepted")
    for position, char in enumerate(url):
        if not "!" <= char <= "~":
            raise InvalidHangupUrl(
                f"contains {char!r} at position {position}: only printable ASCII without spaces or control "
                "characters is accepted (a host must be plain ASCII, with no Unicode dots or fullwidth digits; "
                "percent-encode anything else in the path or query)")
    if "\\" in url:
        raise InvalidHangupUrl("contains a backslash: URL parsers disagree on where such a host ends; use / in paths")
    if "@" in url:
        raise InvalidHangupUrl("contains '@': user info (user:password@host) is not accepted, and an @ in the path "
                               "or query must be written %40")
    if "#" in url:
        raise InvalidHangupUrl("has a fragment ('#'): a callback URL cannot have one; remove it")
    authority = re.split(r"[/?]", url.partition("://")[2], maxsplit=1)[0]
    if authority.startswith("[") and "]" in authority:
        _host_and_port(authority)  # our own word on a bracketed host: Pythons differ in what urlsplit refuses there
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unbalanced or malformed [IPv6] host
        raise InvalidHangupUrl(f"cannot be parsed ({error}); write an IPv6 host as [ADDRESS], with both brackets, "
                               "and an IPv4 one without") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not url[len(parts.scheme):].startswith("://"):
        raise InvalidHangupUrl(f"must be an absolute http:// or https:// URL, not {url[:200]!r}")
    host, port = _host_and_port(parts.netloc)
    rest = url[len(parts.scheme) + 3 + len(parts.netloc):]
    target = parts.path + (f"?{parts.query}" if "?" in rest else "")
    netloc = CallbackTarget(scheme, host, port, target, "").netloc
    canonical = f"{scheme}://{netloc}{target}"
    if canonical != f"{scheme}://{parts.netloc.lower()}{rest}":
        raise InvalidHangupUrl(f"does not read back the same when parsed ({url[:200]!r}); write it as {canonical!r}")
    return CallbackTarget(scheme, host, port, target, canonical)


def _host_and_port(netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise InvalidHangupUrl("has an IPv6 address without its closing ']'")
        host, after = _ipv6_host(netloc[1:end]), netloc[end + 1:]
        if after and not after.startswith(":"):
            raise InvalidHangupUrl(f"has {after!r} after its IPv6 address; only ':PORT' may follow it")
        port_text = after[1:] if after else None
    else:
        if netloc.count(":") > 1:
            raise InvalidHangupUrl("has a host with several ':'; write an IPv6 address in brackets, like [::1]")
        name, colon, port_text = netloc.partition(":")
        host = _name_or_ipv4(name)
        port_text = port_text if colon else None
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or str(int(port_text)) != port_text \
            or not 1 <= int(port_text) <= 65535:
        raise InvalidHangupUrl(f"has port {port_text!r}; a port is a number from 1 to 65535 without leading zeros "
                               "(or leave it out for the scheme's default)")
    return host, int(port_text)


def _ipv6_host(text: str) -> str:
    if "%" in text:
        raise InvalidHangupUrl(f"has a zone in its IPv6 address [{text}]; zones are not accepted")
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        if _is_address(text):
            raise InvalidHangupUrl(f"has [{text}]: an IPv4 address cannot be in brackets; write {text} without them") \
                from None
        raise InvalidHangupUrl(f"has [{text}], which is not an IPv6 address") from None
    if address.ipv4_mapped is not None:
        raise InvalidHangupUrl(f"has the IPv4-mapped IPv6 address [{text}]; write the IPv4 address "
                               f"{address.ipv4_mapped} itself")
    if str(address) != text.lower():
        raise InvalidHangupUrl(f"has the IPv6 address [{text}] in a non-canonical form; write it as [{address}]")
    return str(address)


def _name_or_ipv4(text: str) -> str:
    host = text.lower()
    if not host:
        raise InvalidHangupUrl("has no host: give one, like http://127.0.0.1:8000/hook")
    if host.endswith("."):
        raise InvalidHangupUrl(f"has a host ending with a dot ({text!r}); write it without the dot")
    labels = host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):  # what browsers and C resolvers read as an IPv4 address
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            address = None
        if address is None or str(address) != host:
            raise InvalidHangupUrl(
                f"has host {text!r}, which some parsers read as an IPv4 address; write an IPv4 address as four "
                "decimal numbers from 0 to 255 without leading zeros (like 127.0.0.1), not in decimal, hex, "
                "octal or short form")
        return host
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidHangupUrl(f"has host {text!r}, which is not a host name: labels of letters, digits, '-' and "
                               "'_', separated by single dots")
    return host


@dataclass(frozen=True)
class CallbackHosts:
    """``allowed_callback_hosts``: exact host names, IP addresses and CIDR ranges."""

    entries: tuple[str, ...]
    names: frozenset[str]
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "CallbackHosts":
        """Raises ``ValueError`` naming an entry that is neither a host name, an address nor a range."""
        kept, names, networks = [], set(), []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            kept.append(entry)
            if "/" in entry or _is_address(entry):
                networks.append(_network(entry))
            else:
                try:
                    names.add(_name_or_ipv4(entry))
                except InvalidHangupUrl as error:
                    raise ValueError(f"allowed_callback_hosts entry {raw!r}: {error.message}.") from None
        return cls(tuple(kept), frozenset(names), tuple(networks))

    def allows_name(self, name: str) -> bool:
        return name.lower() in self.names

    def allows_address(self, address: Address) -> bool:
        return any(address.version == network.version and address in network for network in self.networks)

    def check(self, target: CallbackTarget) -> None:
        """Refuse a target whose host is not on the list (a name by name, an address by address or range)."""
        address = target.address
        if address is None and self.allows_name(target.host) or address is not None and self.allows_address(address):
            return
        kind = "host name" if address is None else "address"
        how = "names are matched exactly, without resolving them" if address is None else \
            "an address must be listed or inside a listed range"
        raise InvalidHangupUrl(f"{kind} {target.host!r} is not allowed ({how}); allowed: {self.describe()}. Add it "
                               "with `ccs-mock serve --allow-callback-host HOST_OR_CIDR` or the setting "
                               "allowed_callback_hosts")

    def canonical(self, url: str, what: str) -> str:
        """The canonical form of a callback URL the fake may call, or ``InvalidHangupUrl`` naming ``what``."""
        try:
            target = parse_callback_url(url)
            self.check(target)
        except InvalidHangupUrl as error:
            raise InvalidHangupUrl(f"{what} {error.message}") from None
        return target.url

    def describe(self) -> str:
        return ", ".join(self.entries) or "(none)"


def _is_address(entry: str) -> bool:
    try:
        ipaddress.ip_address(entry)
    except ValueError:
        return False
    return True


def _network(entry: str) -> Network:
    try:
        return ipaddress.ip_network(entry)
    except ValueError:
        try:
            loose = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"allowed_callback_hosts entry {entry!r} is not an IP address or CIDR range "
                             "(like 10.20.0.0/16 or fd00::/8).") from None
        raise ValueError(f"allowed_callback_hosts entry {entry!r} has host bits set (did you mean {loose}?).") from None
