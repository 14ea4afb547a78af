"""The matching helper: licensed households with room that could take a child, best first, with the reasons.

Weighs what domain.md names — the child's age, brothers and sisters to keep together, language and needs — against
each household's license (hard limits: licensed today, room for the whole sibling group, age inside the license's
range) and its stated preferences (soft: they add or take away points, and each says why). Three statements whatever
the number of households: the license facts, the active placements per household, the child's unplaced siblings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.children.licenses import LicensedHome, licensed_homes
from portal.children.models import CaseStatus, Child, Placement, PlacementStatus
from portal.children.services import active_counts
from portal.extensions import db
from portal.folding import fold_text
from portal.i18n import language_word

# How a language code is written in a household's free-text "languages spoken at home".
LANGUAGE_WORDS = {"en": ("english", "inglés", "ingles"), "es": ("spanish", "español", "espanol")}


@dataclass
class Match:
    home: LicensedHome
    placed: int
    score: int = 0
    reasons: list[tuple[bool, object]] = field(default_factory=list)  # (good?, words)

    @property
    def room(self) -> int:
        return self.home.capacity - self.placed


def unplaced_siblings(child: Child) -> list[Child]:
    """Brothers and sisters (same sibling group, case open) with no current placement, the child excluded."""
    if not child.sibling_group:
        return []
    placed = select(Placement.child_id).where(Placement.status == PlacementStatus.ACTIVE)
    return list(db.session.scalars(select(Child).where(
        Child.sibling_group == child.sibling_group, Child.id != child.id, Child.case_status == CaseStatus.OPEN,
        Child.id.not_in(placed)).order_by(Child.birth_date)).all())


def speaks(languages: str, code: str) -> bool:
    words = set(re.findall(r"\w+", languages.casefold()))
    return any(word in words for word in LANGUAGE_WORDS.get(code, (code,)))


def matches_for(child: Child, on: date) -> tuple[list[Match], list[Child]]:
    """Households that could take the child on `on` (and its unplaced siblings), best first; with the siblings."""
    siblings = unplaced_siblings(child)
    group = 1 + len(siblings)
    homes = licensed_homes(on)
    counts = active_counts([home.household_id for home in homes])
    age = child.age_on(on)
    results = []
    for home in homes:
        match = Match(home=home, placed=counts.get(home.household_id, 0))
        if match.room < 1 or not home.age_min <= age <= home.age_max:
            continue  # no room, or outside the license: not a match at all
        _score(match, child, age, group)
        results.append(match)
    results.sort(key=lambda m: (-m.score, -m.room, fold_text(m.home.household_name), m.home.household_id))
    return results, siblings


def _say(match: Match, good: bool, points: int, words) -> None:
    match.score += points if good else -points
    match.reasons.append((good, words))


def _score(match: Match, child: Child, age: int, group: int) -> None:
    home = match.home
    if group > 1:
        if match.room >= group and home.sibling_groups:
            _say(match, True, 30, _l("Takes sibling groups, with room for all %(count)d", count=group))
        elif match.room >= group:
            _say(match, True, 10, _l("Room for all %(count)d brothers and sisters", count=group))
        else:
            _say(match, False, 20, _l("No room for all %(count)d brothers and sisters", count=group))
    low, high = home.preferred_age_min, home.preferred_age_max
    if low is not None and high is not None:
        if low <= age <= high:
            _say(match, True, 20, _l("Age within their preference"))
        else:
            _say(match, False, 15, _l("Age outside their preference"))
    if home.languages:
        if speaks(home.languages, child.preferred_locale):
            _say(match, True, 25, _l("Speaks %(language)s", language=language_word(child.preferred_locale)))
        else:
            _say(match, False, 10, _l("Does not list the child's language"))
    needs = [need for need in (child.needs or []) if isinstance(need, str)]
    if needs:
        ready = [need for need in needs if need in home.needs]
        if len(ready) == len(needs):
            _say(match, True, 20, _l("Ready for the child's needs"))
        elif ready:
            _say(match, True, 5, _l("Ready for some of the child's needs"))
            match.score -= 10
        else:
            _say(match, False, 15, _l("Did not say they are ready for the child's needs"))
    if home.preferred_count is not None and match.placed >= home.preferred_count:
        _say(match, False, 10, _l("Already has as many children as they said they could care for"))
