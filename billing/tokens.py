"""API tokens: how long one must be, and the keyed hash under which it is stored.

Only HMAC-SHA256 of a token under the server's secret key is kept, so a copy of the users table
alone does not let anyone try guessed tokens offline. Importing and authenticating must use the
same key: changing ISPBOX_SECRET_KEY means importing the users' tokens again.
"""

from __future__ import annotations

import hashlib
import hmac

MIN_TOKEN_LENGTH = 24


def hash_token(token: str, server_key: str) -> str:
    """The stored form of an API token (hex HMAC-SHA256 under the server key)."""
    return hmac.new(server_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def token_too_short(token: str) -> str | None:
    """Why a token is too short to be an API token, or None."""
    if len(token) < MIN_TOKEN_LENGTH:
        return f"must be at least {MIN_TOKEN_LENGTH} characters (it has {len(token)})"
    return None
