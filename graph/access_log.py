"""The access log never holds a preview link's token: the link itself is the credential, and
access logs are read, shipped and kept by more people than the invoices are."""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
TOKEN_IN_QUERY = re.compile(r"(?i)((?:^|[?&])token=)[^&\s\"]*")
REDACTED = r"\1[redacted]"


def redact_tokens(text: str) -> str:
    """The text with the value of every `token=` query parameter replaced."""
    return TOKEN_IN_QUERY.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites an access log record's arguments (the request line) without token values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True


def redact_access_log() -> None:
    """Installs the filter on uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
