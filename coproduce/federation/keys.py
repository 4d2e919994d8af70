"""Signing the messages between linked banks with Ed25519 (the ``cryptography`` library).

A request carries three headers: ``Coproduce-Key`` (the sender's public key, which names the
link), ``Coproduce-Timestamp`` (Unix seconds) and ``Coproduce-Signature``, the signature of

    RECIPIENT'S PUBLIC KEY "\\n" METHOD "\\n" PATH-WITH-QUERY "\\n" TIMESTAMP "\\n" SHA-256 OF THE BODY (hex)

so a signature cannot be moved to another bank, address, body or moment. A receiver accepts a
timestamp within ``SKEW`` of its own clock; repeats inside that window are harmless because
every write is idempotent by its UUID."""

import base64
import hashlib
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SKEW = 300  # seconds

KEY_HEADER = "Coproduce-Key"
TIME_HEADER = "Coproduce-Timestamp"
SIGNATURE_HEADER = "Coproduce-Signature"


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key_pair() -> tuple[str, str]:
    """(private, public), each 32 raw bytes in base64url."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _encode(raw_private), _encode(raw_public)


def is_public_key(text: str) -> bool:
    try:
        raw = _decode(text.strip())
    except (ValueError, TypeError):
        return False
    return len(raw) == 32


def _message(recipient: str, method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join([recipient, method.upper(), path, timestamp, hashlib.sha256(body).hexdigest()]).encode()


def sign(private_key: str, public_key: str, method: str, path: str, body: bytes, *, recipient: str,
         now: float | None = None) -> dict[str, str]:
    """The headers that sign this request to the bank whose public key is ``recipient``."""
    timestamp = str(int(time.time() if now is None else now))
    signer = Ed25519PrivateKey.from_private_bytes(_decode(private_key))
    return {KEY_HEADER: public_key, TIME_HEADER: timestamp,
            SIGNATURE_HEADER: _encode(signer.sign(_message(recipient, method, path, timestamp, body)))}


def verify(public_key: str, method: str, path: str, body: bytes, timestamp: str, signature: str, *,
           recipient: str, now: float | None = None) -> bool:
    """Whether ``signature`` is the holder of ``public_key``'s, for this request to the bank whose
    public key is ``recipient`` (ours), made recently."""
    try:
        moment = int(timestamp)
        verifier = Ed25519PublicKey.from_public_bytes(_decode(public_key))
        verifier.verify(_decode(signature), _message(recipient, method, path, timestamp, body))
    except (ValueError, TypeError, InvalidSignature):
        return False
    return abs((time.time() if now is None else now) - moment) <= SKEW
