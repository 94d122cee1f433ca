"""Encryption at rest for stored secrets, keyed from KAIROS_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Fernet (AES-128-CBC + HMAC) with a key derived from the process secret."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(b"kairos-secret-box\x00" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ValueError("stored secret cannot be decrypted: KAIROS_SECRET_KEY changed?") from None
