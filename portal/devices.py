"""A signed-in session's browser and device in words ("Chrome Mobile on Android"), from its User-Agent header.

ua-parser (the maintained port of Browserscope's rules) rather than our own patterns: browsers change their
User-Agent strings every few months, and the rules are updated with them."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import force_locale
from flask_babel import gettext as _
from ua_parser import parse


@lru_cache(maxsize=512)
def _families(user_agent: str) -> tuple[str | None, str | None, str | None]:
    result = parse(user_agent[:400])
    browser = result.user_agent.family if result.user_agent and result.user_agent.family != "Other" else None
    system = result.os.family if result.os and result.os.family != "Other" else None
    device = result.device.family if result.device and result.device.family not in ("Other", "Generic") else None
    return browser, system, device


def describe_user_agent(user_agent: str, locale: str | None = None) -> str:
    """In the page's language, or in `locale` (an email to its recipient)."""
    if locale is not None:
        with force_locale(locale):
            return describe_user_agent(user_agent)
    browser, system, device = _families(user_agent or "")
    if device and system and device not in (system,) and not device.startswith(system):
        system = f"{system} ({device})"
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser or system:
        return browser or system or ""
    return _("An unknown browser")
