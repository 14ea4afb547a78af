"""Where to send people: safe "next" links and each role's home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "portal.dashboard") -> str:
    """Only local paths are followed, so a crafted link can't bounce a family to another site after sign-in."""
    if target and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # CR/LF would break the header
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(default_endpoint)
