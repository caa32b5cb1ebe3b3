"""Check kinds about staff dress: uniform colour by role, and the work badge."""

from __future__ import annotations

from pydantic import Field, field_validator

from auditor.checks.registry import Analyzer, Outcome, Params, check, failed, not_assessable, passed
from auditor.types import COLOURS, Evidence, PersonFact, PhotoFacts, Role


def person_evidence(persons: list[PersonFact], facts: PhotoFacts, label: str) -> list[Evidence]:
    return [Evidence(kind="box", label=f"{p.role.value}:{label}", photo=facts.photo, box=p.box,
                     text=p.top_colour) for p in persons]


class DressColourParams(Params):
    role: Role
    colours: list[str] = Field(min_length=1, description="the uniform colours the manual allows for the role")

    @field_validator("colours")
    @classmethod
    def _known(cls, colours: list[str]) -> list[str]:
        unknown = [c for c in colours if c not in COLOURS]
        if unknown:
            raise ValueError(f"colour(s) {', '.join(unknown)} not in {', '.join(COLOURS)}")
        return colours


def _people(facts: PhotoFacts, role: Role) -> list[PersonFact] | None:
    if Analyzer.PERSONS.value not in facts.analyzed:
        return None
    return [p for p in facts.persons if p.role is role]


@check("dress_colour", params=DressColourParams, analyzers={Analyzer.PERSONS, Analyzer.OBJECTS})
def dress_colour(p: DressColourParams, facts: PhotoFacts) -> Outcome:
    """Every person of the role wears a top in one of the allowed colours."""
    people = _people(facts, p.role)
    if people is None:
        return not_assessable("detail.no_person_analyzer")
    judged = [person for person in people if person.top_colour is not None]
    if not judged:
        return not_assessable("detail.no_person_of_role", role=p.role.value)
    wrong = [person for person in judged if person.top_colour not in p.colours]
    if wrong:
        return failed("detail.wrong_colour", person_evidence(wrong, facts, "dress"), role=p.role.value,
                      seen=", ".join(sorted({w.top_colour or "" for w in wrong})), allowed=", ".join(p.colours))
    return passed("detail.colour_ok", person_evidence(judged, facts, "dress"), role=p.role.value,
                  count=len(judged), allowed=", ".join(p.colours))


class BadgeWornParams(Params):
    role: Role = Role.STAFF


@check("badge_worn", params=BadgeWornParams, analyzers={Analyzer.PERSONS, Analyzer.OBJECTS})
def badge_worn(p: BadgeWornParams, facts: PhotoFacts) -> Outcome:
    """Every person of the role wears a work badge on the chest."""
    people = _people(facts, p.role)
    if people is None:
        return not_assessable("detail.no_person_analyzer")
    judged = [person for person in people if person.badge is not None]
    if not judged:
        return not_assessable("detail.no_person_of_role", role=p.role.value)
    without = [person for person in judged if not person.badge]
    if without:
        return failed("detail.badge_missing", person_evidence(without, facts, "no_badge"), role=p.role.value,
                      count=len(without))
    return passed("detail.badge_ok", person_evidence(judged, facts, "badge"), role=p.role.value, count=len(judged))
