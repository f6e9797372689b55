"""RSA keys: one pair per local account, made lazily; signing and verifying with them."""

from __future__ import annotations

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


def sign(private_pem: str, data: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify(public_pem: str, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``data`` signed (RSASSA-PKCS1-v1_5, SHA-256) by the key in ``public_pem``."""
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except (ValueError, TypeError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
