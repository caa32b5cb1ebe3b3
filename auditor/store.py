"""The audit store: SQLAlchemy over SQLite by default (data/auditor.db), any SQLAlchemy URL otherwise.

Tables: halls, rounds, manuals (version, sha256 and the YAML text, so an old audit stays explainable after
the manual changes), audits, photos, findings and overrides. An audit is written in one transaction: a crash
in the middle leaves no half audit. Findings keep the machine's verdict for good; an inspector's override is
a new row (who, when, why), never an edit, and the audit's score is recomputed in the same transaction.
Photo files are kept content-addressed under the photo folder (``ab/abcdef….jpg``), so nothing an inspector
gave is lost and the same photo is kept once.

The schema is made only by the Alembic migrations of ``auditor/migrations`` (run when a store opens, or by
``auditor db upgrade``): a change to the models below needs a new revision there, and a test compares the
migrated schema with these models.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    contains_eager,
    joinedload,
    mapped_column,
    relationship,
    sessionmaker,
)

from auditor import migrations
from auditor.errors import ConflictError, StoreError
from auditor.files import write_atomically
from auditor.manual import Manual, parse_manual
from auditor.scoring import score_audit
from auditor.types import (
    Area,
    AuditedPhoto,
    AuditResult,
    Evidence,
    Finding,
    Override,
    RejectedPhoto,
    Score,
    Verdict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


# The bundled samples are audited into a store of their own, so demo audits never enter a street's ranking.
SAMPLES_DB = f"sqlite:///{DEFAULT_DATA_DIR / 'samples' / 'samples.db'}"


def default_url() -> str:
    return os.environ.get("AUDITOR_DB_URL") or f"sqlite:///{DEFAULT_DATA_DIR / 'auditor.db'}"


def default_photo_dir(url: str) -> Path:
    """Photos live beside an SQLite file (so each store keeps its own), else in $AUDITOR_PHOTO_DIR or data/."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        return Path(url.removeprefix("sqlite:///")).parent / "photos"
    return Path(os.environ.get("AUDITOR_PHOTO_DIR") or DEFAULT_DATA_DIR / "photos")


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class HallRow(Base):
    __tablename__ = "halls"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class RoundRow(Base):
    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class ManualRow(Base):
    __tablename__ = "manuals"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    manual_id: Mapped[int] = mapped_column(ForeignKey("manuals.id"))
    inspector: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # score and grade as columns for ranking queries; the whole Score (categories, rule verdicts, coverage,
    # critical rules) as one JSON document, read back with Score.model_validate.
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(32))
    score_detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    uncovered_areas: Mapped[list[Any]] = mapped_column(JSON)
    rejected: Mapped[list[Any]] = mapped_column(JSON)

    hall: Mapped[HallRow] = relationship()
    round: Mapped[RoundRow] = relationship()
    manual: Mapped[ManualRow] = relationship()
    photos: Mapped[list[PhotoRow]] = relationship(back_populates="audit", cascade="all, delete-orphan",
                                                  order_by="PhotoRow.id")
    findings: Mapped[list[FindingRow]] = relationship(back_populates="audit", cascade="all, delete-orphan",
                                                      order_by="FindingRow.id")


class PhotoRow(Base):
    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("audit_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    area: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    stored_as: Mapped[str | None] = mapped_column(String(200))
    audit: Mapped[AuditRow] = relationship(back_populates="photos")


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(32), index=True)
    photo: Mapped[str | None] = mapped_column(String(500))
    area: Mapped[str | None] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16))
    detail_key: Mapped[str] = mapped_column(String(64))
    detail_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON)
    audit: Mapped[AuditRow] = relationship(back_populates="findings")
    # Loaded with the findings in one query per audit ("selectin"), not one per finding: every report reads them.
    overrides: Mapped[list[OverrideRow]] = relationship(cascade="all, delete-orphan", order_by="OverrideRow.sequence",
                                                        lazy="selectin")


class OverrideRow(Base):
    """One inspector's word on one finding. Append-only: the latest sequence is the one that counts."""

    __tablename__ = "overrides"
    # The unique pair is what stops two people overriding the same finding at once: both would write the
    # same next sequence, and the second insert fails.
    __table_args__ = (UniqueConstraint("finding_id", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True)
class StoredAudit:
    audit_id: int
    created_at: datetime
    result: AuditResult
    manual_source: str

    def manual(self) -> Manual:
        """The manual exactly as it was when the audit ran (rule texts, weights, clauses)."""
        return _stored_manual(self.manual_source)


@lru_cache(maxsize=16)
def _stored_manual(source: str) -> Manual:
    # Parsed once per text: every report and screen explains audits with their manual, and parsing the YAML
    # was most of the time of building a report. A Manual is immutable, so sharing it is safe.
    return parse_manual(source, f"<stored manual {hashlib.sha256(source.encode()).hexdigest()[:12]}>")


def _override(row: OverrideRow) -> Override:
    return Override(verdict=Verdict(row.verdict), comment=row.comment, by=row.by, at=_aware(row.at),
                    sequence=row.sequence)


def _finding(row: FindingRow) -> Finding:
    return Finding(rule_id=row.rule_id, photo=row.photo, area=Area(row.area) if row.area else None,
                   verdict=Verdict(row.verdict), detail_key=row.detail_key, detail_params=row.detail_params,
                   evidence=tuple(Evidence.model_validate(e) for e in row.evidence), id=row.id,
                   override=_override(row.overrides[-1]) if row.overrides else None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


@dataclass(frozen=True)
class HallSummary:
    hall: str
    round: str
    audit_id: int
    created_at: datetime
    detail: Score  # the whole score (categories, rule verdicts), read with the row: rankings need no second query

    @property
    def score(self) -> float | None:
        return self.detail.score

    @property
    def grade(self) -> str:
        return self.detail.grade

    @property
    def failed_critical(self) -> tuple[str, ...]:
        return self.detail.failed_critical

    @property
    def coverage(self) -> float:
        return self.detail.coverage


def _summary(row: AuditRow) -> HallSummary:
    return HallSummary(hall=row.hall.name, round=row.round.name, audit_id=row.id, created_at=_aware(row.created_at),
                       detail=Score.model_validate(row.score_detail))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the app read while an audit is being written by another session. Turning a new database to WAL
    # needs it alone for a moment, and two first starts at once find it busy: SQLite answers that at once,
    # without waiting (it would deadlock), so try again for a while. A database in WAL already stays so.
    deadline = time.monotonic() + 30
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    cursor.close()


class AuditStore:
    def __init__(self, url: str | None = None, photo_dir: str | Path | None = None):
        self.url = url or default_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:memory:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.photo_dir = Path(photo_dir) if photo_dir else default_photo_dir(self.url)
        try:
            self.engine: Engine = create_engine(self.url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            # The schema is made and upgraded by the migrations alone, under a lock (see auditor.migrations);
            # a store written by a newer release is refused, not touched.
            self.schema = migrations.upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the audit store {self.url}: {exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # -- photos -------------------------------------------------------------------------------------------
    def keep_photo(self, data: bytes, sha256: str, suffix: str) -> str:
        """Keep a copy of the photo; returns its path relative to the photo folder."""
        relative = f"{sha256[:2]}/{sha256}{suffix.lower()}"
        target = self.photo_dir / relative
        if not target.exists():
            write_atomically(target, data)  # two sessions may keep the same photo at once
        return relative

    def photo_path(self, stored_as: str) -> Path:
        return self.photo_dir / stored_as

    # -- writing ------------------------------------------------------------------------------------------
    @staticmethod
    def _get_or_create(session: Session, model: type, **keys: Any) -> Any:
        row = session.scalars(select(model).filter_by(**keys)).first()
        if row is None:
            row = model(**keys)
            session.add(row)
            session.flush()
        return row

    def save(self, result: AuditResult, manual: Manual) -> int:
        """Write the audit in one transaction and return its id."""
        try:
            return self._save(result, manual)
        except IntegrityError:
            # Another session created the same new hall, round or manual between this one's look-up and its
            # insert: the rows exist now, so the second attempt finds them.
            try:
                return self._save(result, manual)
            except IntegrityError as exc:
                raise StoreError(f"the audit of {result.hall} could not be saved, nothing was written: {exc}"
                                 ) from exc

    def _save(self, result: AuditResult, manual: Manual) -> int:
        try:
            with self._sessions.begin() as session:
                hall = self._get_or_create(session, HallRow, name=result.hall)
                round_ = self._get_or_create(session, RoundRow, name=result.round)
                manual_row = session.scalars(select(ManualRow).filter_by(sha256=manual.sha256)).first()
                if manual_row is None:
                    manual_row = ManualRow(version=manual.version, sha256=manual.sha256, source=manual.source)
                    session.add(manual_row)
                score = result.score
                audit = AuditRow(
                    hall=hall, round=round_, manual=manual_row, inspector=result.inspector,
                    score=score.score, grade=score.grade, score_detail=score.model_dump(mode="json"),
                    uncovered_areas=[a.value for a in result.uncovered_areas],
                    rejected=[r.model_dump() for r in result.rejected],
                )
                audit.photos = [PhotoRow(name=p.name, sha256=p.sha256, area=p.area.value, width=p.width,
                                         height=p.height, stored_as=p.stored_as) for p in result.photos]
                audit.findings = [FindingRow(rule_id=f.rule_id, photo=f.photo, area=f.area.value if f.area else None,
                                             verdict=f.verdict.value, detail_key=f.detail_key,
                                             detail_params=dict(f.detail_params),
                                             evidence=[e.model_dump(mode="json") for e in f.evidence])
                                  for f in result.findings]
                session.add(audit)
                session.flush()
                return audit.id
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit of {result.hall} could not be saved, nothing was written: {exc}") from exc

    # -- reading ------------------------------------------------------------------------------------------
    def _no_such_audits(self, audit_ids: Collection[int]) -> StoreError:
        return StoreError(f"no audit with id {', '.join(map(str, sorted(audit_ids)))} in {self.url}")

    def load(self, audit_id: int) -> StoredAudit:
        with self._sessions() as session:
            audit = session.get(AuditRow, audit_id)
            if audit is None:
                raise self._no_such_audits([audit_id])
            result = AuditResult(
                hall=audit.hall.name, round=audit.round.name, inspector=audit.inspector,
                manual_version=audit.manual.version, manual_sha256=audit.manual.sha256,
                photos=tuple(AuditedPhoto(name=p.name, sha256=p.sha256, area=Area(p.area), width=p.width,
                                          height=p.height, stored_as=p.stored_as) for p in audit.photos),
                rejected=tuple(RejectedPhoto(**r) for r in audit.rejected),
                findings=tuple(_finding(f) for f in audit.findings),
                score=Score.model_validate(audit.score_detail),
                uncovered_areas=tuple(Area(a) for a in audit.uncovered_areas),
            )
            return StoredAudit(audit_id=audit.id, created_at=_aware(audit.created_at), result=result,
                               manual_source=audit.manual.source)

    def manual_of(self, audit_id: int) -> Manual:
        """The manual an audit was made with, exactly as it was then."""
        with self._sessions() as session:
            source = session.scalar(select(ManualRow.source).join(AuditRow, AuditRow.manual_id == ManualRow.id)
                                    .where(AuditRow.id == audit_id))
        if source is None:
            raise self._no_such_audits([audit_id])
        return _stored_manual(source)

    def latest_per_hall(self, round_name: str | None = None) -> list[HallSummary]:
        """The latest audit of every hall (in one round, or in any), best score first."""
        with self._sessions() as session:
            # A listing names each audit's hall and round: loaded with it, not by a query per row. (Only in
            # listings: eager joins on every load would join halls and rounds into override()'s lock, which
            # PostgreSQL refuses unless the lock names its table and MySQL extends to the joined rows.)
            query = (select(AuditRow).join(AuditRow.round)
                     .options(contains_eager(AuditRow.round), joinedload(AuditRow.hall))
                     .order_by(AuditRow.created_at.desc(), AuditRow.id.desc()))
            if round_name is not None:
                query = query.where(RoundRow.name == round_name)
            latest: dict[int, AuditRow] = {}
            for audit in session.scalars(query):
                latest.setdefault(audit.hall_id, audit)
            summaries = [_summary(a) for a in latest.values()]
        return sorted(summaries, key=lambda s: (s.score is None, -(s.score or 0.0), s.hall))

    def rounds(self) -> list[str]:
        """The rounds in the order they were audited (by each round's first audit), not by name: names such as
        2026年第三季度 and 2026年第二季度 do not sort in time."""
        with self._sessions() as session:
            first = func.min(AuditRow.created_at)
            query = (select(RoundRow.name).join(AuditRow, AuditRow.round_id == RoundRow.id)
                     .group_by(RoundRow.id, RoundRow.name).order_by(first, RoundRow.name))
            return list(session.scalars(query))

    def previous_round(self, round_name: str) -> str | None:
        """The round audited before ``round_name`` (None for the first, or an unknown round)."""
        rounds = self.rounds()
        index = rounds.index(round_name) if round_name in rounds else 0
        return rounds[index - 1] if index > 0 else None

    def revision(self, audit_id: int) -> tuple[int, int]:
        """Changes since which anything built from an audit (a report, a drawing) is out of date: the latest
        override of any audit of its hall, and its hall's latest audit. A re-check changes the rectification
        list's status, and so does an override on the re-check."""
        return self.revisions([audit_id])[audit_id]

    def revisions(self, audit_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        """``revision`` of many audits in three queries, however many they are (a screen's cache key covers
        every hall of two rounds, and is checked on every rerun)."""
        wanted = set(audit_ids)
        if not wanted:
            return {}
        with self._sessions() as session:
            hall_of = dict(session.execute(select(AuditRow.id, AuditRow.hall_id).where(AuditRow.id.in_(wanted)))
                           .all())
            missing = sorted(wanted - set(hall_of))
            if missing:
                raise self._no_such_audits(missing)
            halls = set(hall_of.values())
            latest_override = dict(session.execute(
                select(AuditRow.hall_id, func.max(OverrideRow.id)).select_from(OverrideRow).join(FindingRow)
                .join(AuditRow).where(AuditRow.hall_id.in_(halls)).group_by(AuditRow.hall_id)).all())
            latest_audit = dict(session.execute(
                select(AuditRow.hall_id, func.max(AuditRow.id)).where(AuditRow.hall_id.in_(halls))
                .group_by(AuditRow.hall_id)).all())
        return {a: (latest_override.get(hall_of[a], 0), latest_audit[hall_of[a]]) for a in wanted}

    def halls(self) -> list[str]:
        with self._sessions() as session:
            return list(session.scalars(select(HallRow.name).order_by(HallRow.name)))

    def audits_of_hall(self, hall: str) -> list[HallSummary]:
        """Every audit of one hall, oldest first (the trend across rounds)."""
        with self._sessions() as session:
            query = (select(AuditRow).join(AuditRow.hall).where(HallRow.name == hall)
                     .options(contains_eager(AuditRow.hall), joinedload(AuditRow.round))
                     .order_by(AuditRow.created_at, AuditRow.id))
            return [_summary(a) for a in session.scalars(query)]

    def latest_audit_id(self, hall: str, round_name: str) -> int:
        """The id of a hall's latest audit in a round; StoreError naming what exists when there is none."""
        audits = self.audits_of_hall(hall)
        in_round = [s for s in audits if s.round == round_name]
        if in_round:
            return in_round[-1].audit_id
        halls = self.halls()
        if hall not in halls:
            raise StoreError(f"no hall named {hall!r} in {self.url} (halls: {', '.join(halls) or 'none'})")
        rounds = sorted({s.round for s in audits})
        raise StoreError(f"{hall} has no audit in round {round_name!r} (its rounds: {', '.join(rounds)})")

    # -- overrides ----------------------------------------------------------------------------------------
    def override(self, finding_id: int, verdict: Verdict, comment: str, by: str,
                 expected_sequence: int = 0) -> Score:
        """Record an inspector's verdict on a finding and recompute the audit's score; returns the new score.

        ``expected_sequence`` is the sequence of the override the inspector was looking at (0: none). If
        someone else has overridden the finding since, ConflictError says who and when, and nothing changes.
        """
        if not by.strip():
            raise StoreError("an override needs the name of who makes it")
        if not comment.strip():
            raise StoreError("an override needs a comment saying why")
        try:
            with self._sessions.begin() as session:
                row = session.get(FindingRow, finding_id)
                if row is None:
                    raise StoreError(f"no finding with id {finding_id} in {self.url}")
                latest = row.overrides[-1] if row.overrides else None
                if (latest.sequence if latest else 0) != expected_sequence:
                    raise ConflictError(
                        f"{latest.by} changed this verdict at {_aware(latest.at):%Y-%m-%d %H:%M} UTC "
                        f"({latest.verdict}: {latest.comment}); reload to see it before overriding again",
                        by=latest.by, at=_aware(latest.at), verdict=latest.verdict, comment=latest.comment)
                row.overrides.append(OverrideRow(sequence=expected_sequence + 1, verdict=Verdict(verdict).value,
                                                 comment=comment.strip(), by=by.strip(), at=_now()))
                session.flush()
                # Locked (on databases that lock rows; SQLite serialises writers anyway) so that two overrides
                # of different findings of one audit cannot both recompute the score from a stale view.
                audit = session.get(AuditRow, row.audit_id, with_for_update={"of": AuditRow}, populate_existing=True)
                manual = _stored_manual(audit.manual.source)
                score = score_audit(manual, [_finding(f) for f in audit.findings])
                audit.score, audit.grade = score.score, score.grade
                audit.score_detail = score.model_dump(mode="json")
                return score
        except IntegrityError as exc:  # the other inspector's insert won the race for the same sequence
            raise ConflictError(f"someone else overrode finding {finding_id} at the same moment; reload and "
                                f"try again") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"the override of finding {finding_id} could not be saved, nothing changed: {exc}"
                             ) from exc

    def override_history(self, finding_id: int) -> list[Override]:
        with self._sessions() as session:
            row = session.get(FindingRow, finding_id)
            if row is None:
                raise StoreError(f"no finding with id {finding_id} in {self.url}")
            return [_override(o) for o in row.overrides]
