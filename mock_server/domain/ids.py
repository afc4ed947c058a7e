"""Deterministic ids and vendor-shaped keys.

Real app tokens, session keys, call and queue keys are URL-safe base64 (unpadded)
Google App Engine datastore keys whose namespace is the tenant host (facts §10.3).
``encode_key`` builds the same protobuf so keys look, decode and fail like real ones;
``IdGenerator`` derives every id from the seed and a per-kind counter, so the same
seed always yields the same bytes.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Callable

DEFAULT_APP_ID = "s~musteri-hizmetleri"  # production app id seen in decoded keys (facts §10.3)


@dataclass(frozen=True)
class DatastoreKey:
    app: str
    kind: str
    id: int
    namespace: str


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string_field(tag: bytes, text: str) -> bytes:
    raw = text.encode()
    return tag + _varint(len(raw)) + raw


def encode_key(key: DatastoreKey) -> str:
    """Encode like ``ndb.Key.urlsafe()``: Reference{app, path[Element{type,id}], name_space}."""
    element = b"\x0b" + _string_field(b"\x12", key.kind) + b"\x18" + _varint(key.id) + b"\x0c"
    body = _string_field(b"j", key.app) + b"r" + _varint(len(element)) + element
    body += _string_field(b"\xa2\x01", key.namespace)
    return base64.urlsafe_b64encode(body).rstrip(b"=").decode()


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ValueError("truncated key")
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self) -> int:
        shift = result = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def string(self) -> str:
        size = self.varint()
        if self.pos + size > len(self.data):
            raise ValueError("truncated key")
        self.pos += size
        return self.data[self.pos - size:self.pos].decode()


def decode_key(text: str) -> DatastoreKey | None:
    """Decode a key made by ``encode_key``; None for anything malformed."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        reader = _Reader(data)
        if reader.byte() != 0x6A:
            return None
        app = reader.string()
        if reader.byte() != 0x72:
            return None
        reader.varint()
        if reader.byte() != 0x0B or reader.byte() != 0x12:
            return None
        kind = reader.string()
        if reader.byte() != 0x18:
            return None
        ident = reader.varint()
        if reader.byte() != 0x0C or reader.byte() != 0xA2 or reader.byte() != 0x01:
            return None
        namespace = reader.string()
        if reader.pos != len(data):
            return None
        return DatastoreKey(app, kind, ident, namespace)
    except (ValueError, UnicodeDecodeError):
        return None


def format_guid(value: int) -> str:
    """A 128-bit number as a GUID (8-4-4-4-12 hex digits): what the platform generates when the CRM gives
    click2call no transactionid (facts §2.3)."""
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class IdGenerator:
    """The one source of ids: seeded, counter-based, never global randomness.

    ``allocate(kind, count)`` returns the first of ``count`` fresh counter values
    for a kind; the store persists counters so a restarted file-backed fake never
    repeats a key.
    """

    def __init__(self, seed: int, allocate: Callable[[str, int], int], app_id: str = DEFAULT_APP_ID):
        self.seed = seed
        self.app_id = app_id
        self._allocate = allocate
        self._salts: dict[str, int] = {}

    def numeric_id(self, kind: str, counter: int) -> int:
        """A datastore-looking 52-bit id, unique per (kind, counter): scattered high bits, counter below."""
        salt = self._salts.get(kind)
        if salt is None:
            salt = self._salts[kind] = int.from_bytes(
                hashlib.blake2b(f"{self.seed}:{kind}".encode(), digest_size=4).digest(), "big")
        return ((((counter * 0x9E3779B1) ^ salt) & 0xFFFFF) << 32) | counter

    def key(self, kind: str, namespace: str, counter: int) -> str:
        return encode_key(DatastoreKey(self.app_id, kind, self.numeric_id(kind, counter), namespace))

    def key_encoder(self, kind: str, namespace: str) -> Callable[[int], str]:
        """A fast ``counter -> key`` for bulk generation; equal to ``key(kind, namespace, counter)``."""
        head = _string_field(b"j", self.app_id)
        kind_field = b"\x0b" + _string_field(b"\x12", kind) + b"\x18"
        tail = _string_field(b"\xa2\x01", namespace)

        def encode(counter: int) -> str:
            element = kind_field + _varint(self.numeric_id(kind, counter)) + b"\x0c"
            raw = head + b"r" + _varint(len(element)) + element + tail
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return encode

    def new_key(self, kind: str, namespace: str) -> str:
        return self.key(kind, namespace, self._allocate(kind, 1))

    def uniform(self, purpose: str, index: int) -> float:
        """A seeded float in [0, 1), the same for the same (seed, purpose, index)."""
        digest = hashlib.blake2b(f"{self.seed}:{purpose}:{index}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def guid(self, purpose: str) -> str:
        """A seeded GUID, the same for the same (seed, purpose): eight 16-bit words of ``uniform``."""
        words = (int(self.uniform(purpose, i) * 65536) for i in range(8))
        return format_guid(sum(word << 16 * (7 - i) for i, word in enumerate(words)))

    def secret(self, purpose: str) -> bytes:
        """A deterministic per-seed secret (e.g. for signing cursors)."""
        return hashlib.sha256(f"ccs-mock:{self.seed}:{purpose}".encode()).digest()
