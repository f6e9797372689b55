"""RSA keys: one pair per local account, made lazily; signing and verifying with them.

Parsing a PEM key costs far more than using it (a 2048-bit private key is checked on load: milliseconds,
against well under one for a signature), and the same few keys sign and verify again and again (one
person's post to 250 servers; the servers that write to us most). Parsed keys are kept by their PEM text,
which names them exactly: a rotated key is new text, so it is parsed anew."""

from __future__ import annotations

from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.db import IntegrityError, transaction

from spool.federation.models import LocalKey
from spool.identities.models import Account

KEY_BITS = 2048


def generate_key_pair() -> tuple[str, str]:
    """A new (private PEM, public PEM) pair."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def local_key(account: Account) -> LocalKey:
    """The key pair of local ``account``, generated and stored the first time (race-safe)."""
    found = LocalKey.objects.filter(account_id=account.pk).first()
    if found is not None:
        return found
    private_pem, public_pem = generate_key_pair()
    try:
        with transaction.atomic():
            return LocalKey.objects.create(
                account_id=account.pk, private_key_pem=private_pem, public_key_pem=public_pem
            )
    except IntegrityError:
        return LocalKey.objects.get(account_id=account.pk)


@lru_cache(maxsize=256)
def _private_key(private_pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@lru_cache(maxsize=4096)
def _public_key(public_pem: str) -> rsa.RSAPublicKey | None:
    """The RSA public key in ``public_pem``, or ``None`` when it is not one."""
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, rsa.RSAPublicKey) else None


def sign(private_pem: str, data: bytes) -> bytes:
    return _private_key(private_pem).sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify(public_pem: str, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``data`` signed (RSASSA-PKCS1-v1_5, SHA-256) by the key in ``public_pem``."""
    key = _public_key(public_pem)
    if key is None:
        return False
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
