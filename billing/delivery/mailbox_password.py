"""Tenants' mailbox passwords, stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256).

The encryption key is derived from the server's secret key with HKDF, under a label of its own,
so the key that signs links never encrypts data itself. The password is decrypted only to log in
to the mailbox.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_LABEL = b"ispbox mailbox passwords"
# A Fernet token of a 100-character password fits the 255-character column.
MAX_PASSWORD_LENGTH = 100


class MailboxPasswordUnreadable(Exception):
    """The stored password was encrypted under another key (or is not encrypted)."""


def _cipher(server_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        server_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_mailbox_password(password: str, server_key: str) -> str:
    """The password encrypted for storage."""
    return _cipher(server_key).encrypt(password.encode()).decode("ascii")


def open_mailbox_password(sealed: str, server_key: str) -> str:
    """The stored password in clear, for the mailbox login only."""
    try:
        return _cipher(server_key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise MailboxPasswordUnreadable(
            "the stored mailbox password can't be decrypted with this server's "
            "ISPBOX_SECRET_KEY; import the tenant's mailbox settings again"
        ) from exc
