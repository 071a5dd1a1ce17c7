"""Sealing secret ballots (docs/voting.md, "Secrecy").

* Receipts: 160 random bits as 32 lowercase base32 characters, shown to the voter
  once and never stored. The public `receipt_hash` is the hex SHA-256 of the receipt;
  the replacement `lookup` is SHA-256 of "replace:<poll id>:<receipt>" (domain
  separated, so the two cannot be matched).
* Per-poll key: HKDF-SHA256 over `BALLOT_KEY` (environment; defaults to the Django
  secret key) with the poll's random `seal_salt` and the poll id. The salt is
  erased at the close.
* Sealed ballot: a 12-byte random nonce + AES-256-GCM ciphertext of
  "<receipt_hash>|<unit>|<answers>" padded with spaces to the poll's fixed size (so the
  length says nothing about the answers), bound to the poll and the lookup as
  associated data. Not Fernet: its tokens carry a plaintext timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE = 12
HASH_HEX = 64


class SealError(Exception):
    """A sealed ballot could not be opened (wrong key, salt erased, tampered row)."""


def new_receipt() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


def clean_receipt(value) -> str:
    """What the voter typed (any case, with spaces or dashes) → the receipt."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value.lower() if ch not in " -\t\n")[:64]


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def replacement_lookup(poll_id: int, receipt: str) -> str:
    return hashlib.sha256(f"replace:{poll_id}:{receipt}".encode()).hexdigest()


def new_salt() -> bytes:
    return os.urandom(32)


def _secret() -> bytes:
    key = getattr(settings, "BALLOT_KEY", None) or settings.SECRET_KEY
    return key.encode() if isinstance(key, str) else bytes(key)


@lru_cache(maxsize=256)
def _aead(secret: bytes, salt: bytes, poll_id: int) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=salt,
        info=f"torget-ballot-v1:{poll_id}".encode(),
    ).derive(secret)
    return AESGCM(key)


def poll_cipher(poll) -> AESGCM:
    if not poll.seal_salt:
        raise SealError("the poll's seal salt is gone (the poll was closed)")
    return _aead(_secret(), bytes(poll.seal_salt), poll.pk)


def _aad(poll_id: int, lookup: str) -> bytes:
    return f"torget:{poll_id}:{lookup}".encode()


def seal(
    poll, *, lookup: str, receipt_digest: str, unit: int | None, answers: str
) -> bytes:
    plain = f"{receipt_digest}|{unit or ''}|{answers}".encode()
    size = max(poll.sealed_size, len(plain))
    plain = plain.ljust(size, b" ")
    nonce = os.urandom(NONCE)
    return nonce + poll_cipher(poll).encrypt(nonce, plain, _aad(poll.pk, lookup))


def unseal(
    cipher: AESGCM, poll_id: int, lookup: str, sealed: bytes
) -> tuple[str, int | None, str]:
    """→ (receipt_hash, breakdown unit, compact answers)."""
    sealed = bytes(sealed)
    try:
        plain = cipher.decrypt(sealed[:NONCE], sealed[NONCE:], _aad(poll_id, lookup))
    except InvalidTag as exc:
        raise SealError("a sealed ballot does not open with this key") from exc
    digest, unit, answers = plain.decode().rstrip(" ").split("|", 2)
    return digest, int(unit) if unit else None, answers


def unseal_all(
    cipher: AESGCM, poll_id: int, rows: Sequence[tuple[str, Any]]
) -> list[tuple[str, int | None, str]]:
    """unseal() for every (lookup, sealed) row — the close's hot loop."""
    prefix = f"torget:{poll_id}:".encode()
    decrypt = cipher.decrypt
    out = []
    try:
        for lookup, sealed in rows:
            raw = bytes(sealed)
            plain = decrypt(raw[:NONCE], raw[NONCE:], prefix + lookup.encode())
            digest, unit, answers = plain.rstrip(b" ").decode().split("|", 2)
            out.append((digest, int(unit) if unit else None, answers))
    except InvalidTag as exc:
        raise SealError("a sealed ballot does not open with this key") from exc
    return out


def sealed_size_for(max_answers_length: int) -> int:
    """Pad to the longest possible ballot (with a unit id of up to 12 digits),
    rounded up to 16 bytes."""
    raw = HASH_HEX + 1 + 12 + 1 + max_answers_length
    return (raw + 15) // 16 * 16
