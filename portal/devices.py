"""A signed-in session's browser and device in words ("Chrome Mobile on Android"), from its User-Agent header.

ua-parser (the maintained port of Browserscope's rules) rather than our own patterns: browsers change their
User-Agent strings every few months, and the rules are updated with them."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import force_locale
from flask_babel import gettext as _
from ua_parser import parse

# The rules copy words out of the header: only plain name characters, and short, ever reach a page or an email (a
# signing-in browser must not be able to write "call 555 0100" into the agency's new-sign-in email).
_NOT_A_NAME = re.compile(r"[^\w .()/-]")


def _clean(name: str | None, ignore: tuple[str, ...]) -> str | None:
    if not name or name in ignore:
        return None
    name = _NOT_A_NAME.sub("", name).strip()[:30]
    return name or None


@lru_cache(maxsize=512)
def _families(user_agent: str) -> tuple[str | None, str | None, str | None]:
    result = parse(user_agent[:400])
    browser = _clean(result.user_agent.family if result.user_agent else None, ("Other",))
    system = _clean(result.os.family if result.os else None, ("Other",))
    device = _clean(result.device.family if result.device else None, ("Other", "Generic"))
    if device and (" " in device.strip("()") and len(device.split()) > 3):  # prose, not a model name
        device = None
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
