"""Redaction of what identifies a person in the texts a review shows or exports: e-mail addresses, phone
numbers and long digit strings (card, account, health-service numbers). Sender ids are replaced by a
stable pseudonym: on messaging platforms they are phone numbers or account ids."""

from __future__ import annotations

import hashlib
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: an optional +, then at least 8 digits that may be split by spaces, dots, dashes or brackets.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){7,}(?!\w)")
LONG_DIGITS = re.compile(r"\d{6,}")


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    return LONG_DIGITS.sub("[number]", text)


def pseudonym(sender_id: str) -> str:
    """A short, stable stand-in for a sender id (the same conversation gets the same one in every report)."""
    return "c-" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:10]
