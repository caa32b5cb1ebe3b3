"""The audit store: SQLAlchemy over SQLite by default (data/auditor.db), any SQLAlchemy URL otherwise.

Tables: halls, rounds, manuals (version, sha256 and the YAML text, so an old audit stays explainable after
the manual changes), audits, photos and findings. An audit is written in one transaction: a crash in the
middle leaves no half audit. Photo files are kept content-addressed under the photo folder
(``ab/abcdef….jpg``), so nothing an inspector gave is lost and the same photo is kept once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
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
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from auditor.errors import StoreError
from auditor.manual import Manual, parse_manual
from auditor.types import (
    Area,
    AuditedPhoto,
    AuditResult,
    Evidence,
    Finding,
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


@dataclass(frozen=True)
class StoredAudit:
    audit_id: int
    created_at: datetime
    result: AuditResult
    manual_source: str

    def manual(self) -> Manual:
        """The manual exactly as it was when the audit ran (rule texts, weights, clauses)."""
        return parse_manual(self.manual_source, f"<manual {self.result.manual_version} of audit {self.audit_id}>")


@dataclass(frozen=True)
class HallSummary:
    hall: str
    round: str
    audit_id: int
    created_at: datetime
    score: float | None
    grade: str
    failed_critical: tuple[str, ...]
    coverage: float


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the app read while an audit is being written by another session.
    cursor.execute("PRAGMA journal_mode=WAL")
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
            Base.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the audit store {self.url}: {exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # -- photos -------------------------------------------------------------------------------------------
    def keep_photo(self, data: bytes, sha256: str, suffix: str) -> str:
        """Keep a copy of the photo; returns its path relative to the photo folder."""
        relative = f"{sha256[:2]}/{sha256}{suffix.lower()}"
        target = self.photo_dir / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(target)  # atomic: a crash never leaves half a photo under the final name
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
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit of {result.hall} could not be saved, nothing was written: {exc}") from exc

    # -- reading ------------------------------------------------------------------------------------------
    def load(self, audit_id: int) -> StoredAudit:
        with self._sessions() as session:
            audit = session.get(AuditRow, audit_id)
            if audit is None:
                raise StoreError(f"no audit with id {audit_id} in {self.url}")
            result = AuditResult(
                hall=audit.hall.name, round=audit.round.name, inspector=audit.inspector,
                manual_version=audit.manual.version, manual_sha256=audit.manual.sha256,
                photos=tuple(AuditedPhoto(name=p.name, sha256=p.sha256, area=Area(p.area), width=p.width,
                                          height=p.height, stored_as=p.stored_as) for p in audit.photos),
                rejected=tuple(RejectedPhoto(**r) for r in audit.rejected),
                findings=tuple(Finding(rule_id=f.rule_id, photo=f.photo, area=Area(f.area) if f.area else None,
                                       verdict=Verdict(f.verdict), detail_key=f.detail_key,
                                       detail_params=f.detail_params,
                                       evidence=tuple(Evidence.model_validate(e) for e in f.evidence))
                               for f in audit.findings),
                score=Score.model_validate(audit.score_detail),
                uncovered_areas=tuple(Area(a) for a in audit.uncovered_areas),
            )
            return StoredAudit(audit_id=audit.id, created_at=audit.created_at, result=result,
                               manual_source=audit.manual.source)

    def latest_per_hall(self, round_name: str | None = None) -> list[HallSummary]:
        """The latest audit of every hall (in one round, or in any), best score first."""
        with self._sessions() as session:
            query = select(AuditRow).join(AuditRow.round).order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
            if round_name is not None:
                query = query.where(RoundRow.name == round_name)
            latest: dict[int, AuditRow] = {}
            for audit in session.scalars(query):
                latest.setdefault(audit.hall_id, audit)
            summaries = [HallSummary(hall=a.hall.name, round=a.round.name, audit_id=a.id, created_at=a.created_at,
                                     score=a.score, grade=a.grade,
                                     failed_critical=tuple(a.score_detail["failed_critical"]),
                                     coverage=a.score_detail["coverage"])
                         for a in latest.values()]
        return sorted(summaries, key=lambda s: (s.score is None, -(s.score or 0.0), s.hall))

    def rounds(self) -> list[str]:
        with self._sessions() as session:
            return list(session.scalars(select(RoundRow.name).order_by(RoundRow.name)))
