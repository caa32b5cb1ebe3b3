"""检查 · Audit: audit a hall from an upload of its photos, and review any audit, verdict by verdict.

New audit: the hall (street) and round, the inspector; the photos (many files or a folder), checked at once
(size limits, type by content, duplicates counted once: auditor.uploads); each photo tagged with its
functional area (suggested from its file and folder names, or from its signs on request); then the audit,
with a progress bar, stored once per batch. Review: any stored audit, each photo drawn with its evidence
(citizens' faces blurred unless the session is the inspector's: views/common.py) beside its findings,
failures first; an inspector confirms or changes a verdict with a comment, and the score is recomputed
(auditor.review).

Everything a reader chooses lives in st.session_state (per browser session), so two inspectors never share
a batch, a tag or a form; every audit is its own row and every override is checked against the version of
the finding the inspector was shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from auditor import annotate, review, uploads
from auditor.errors import AuditorError, DetectorConfigError, PhotoReadError, StoreError
from auditor.i18n import rejected_reason, render_message, score_text, t
from auditor.localtime import local_zone
from auditor.manual import Manual
from auditor.photos import decode_photo
from auditor.pipeline import current_round
from auditor.reports.model import evidence_summary, photo_label
from auditor.store import AuditStore, StoredAudit
from auditor.types import Area, AuditedPhoto, Finding, Verdict
from views import common
from views.common import lang, tr

NEW, REVIEW = "new", "review"
FILES, FOLDER = "files", "folder"
TAGS_PER_PAGE = 24
PHOTOS_PER_PAGE = 6
BADGE = {Verdict.FAIL: "red", Verdict.PASS: "green", Verdict.NOT_ASSESSABLE: "gray"}

# Session-state keys of this screen (one browser session each).
MODE, INSPECTOR, HALL, ROUND = "audit_mode", "audit_inspector", "audit_hall", "audit_round"
UPLOAD_KIND, CHECKED, FILE_SHAS, AREAS = "audit_upload_kind", "audit_checked", "audit_file_shas", "audit_areas"
DONE, SHOWN, RUN, FLASH, CHANGES = "audit_done", "audit_shown", "audit_run", "audit_flash", "audit_score_change"
RUNNING = "audit_running"  # the audit a run has started and not finished: set before it, cleared after it
REVIEW_HALL, REVIEW_ID, VERDICTS = "audit_review_hall", "audit_review_id", "audit_verdicts"
FROM_SIGNS = "audit_from_signs"


def _state(key: str, default: object) -> object:
    return st.session_state.setdefault(key, default)


def area_name(area: Area | str | None) -> str:
    return tr(f"area.{Area(area).value}") if area else "—"


def verdict_name(verdict: Verdict | str) -> str:
    return tr(f"verdict.{Verdict(verdict).value}")


def texts_of(prefix: str) -> Callable[[object], str]:
    """A widget's format_func: the option's text (``prefix`` + its value) in the language of this run, bound
    now (Streamlit may call it outside the run, where the reader's language is not known)."""
    reader = lang()

    def text(value: object) -> str:
        return t(f"{prefix}{getattr(value, 'value', value)}", reader)

    return text


def punct(mark: str) -> str:
    """Chinese punctuation in Chinese, its English form in English (``：`` -> ``: ``)."""
    if lang() == "zh":
        return mark
    return {"：": ": ", "；": "; ", "、": ", "}.get(mark, mark)


def counted(label: str, n: int) -> str:
    return f"{label}（{n}）" if lang() == "zh" else f"{label} ({n})"


def flash(kind: str, text: str, where: object = "page") -> None:
    """A message shown once, on the next run, where it belongs (the page, or under one finding)."""
    _state(FLASH, {}).setdefault(where, []).append((kind, text))


def show_flashes(where: object = "page") -> None:
    for kind, text in st.session_state.get(FLASH, {}).pop(where, []):
        getattr(st, kind)(text)


# -- the audit's manual and drawings, cached --------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=512)
def drawn_photo(path: str, size: tuple[int, int], signature: tuple[object, ...], reader_lang: str,
                _findings: Sequence[Finding], _manual: Manual, faces_shown: bool = False,
                _photo_findings: Sequence[Finding] | None = None) -> bytes:
    """The photo with the evidence of the listed findings, citizens' faces blurred unless ``faces_shown``
    (the heads of the persons among ``_photo_findings``' evidence too); ``signature`` (finding ids and final
    verdicts, manual) says when the drawing must change."""
    return annotate.evidence_preview(path, *size, _findings, _manual, reader_lang, show_faces=faces_shown,
                                     photo_findings=_photo_findings)


# -- new audit: hall, round, inspector ----------------------------------------------------------------------
def inspector_input() -> str:
    return st.text_input(tr("label.inspector"), key=INSPECTOR, persist_state="session",
                         placeholder=tr("audit.inspector_hint"), help=tr("audit.inspector_help")).strip()


def hall_round_inspector(target: AuditStore) -> tuple[str, str, str]:
    st.subheader(tr("audit.step_hall"))
    halls = target.halls()
    rounds = list(reversed(target.rounds()))  # the latest audited first (the store's order, not by name)
    if current_round() not in rounds:
        rounds.insert(0, current_round())
    if st.session_state.get(ROUND) is None:
        st.session_state[ROUND] = current_round()
    left, middle, right = st.columns([4, 2, 3])
    with left:
        hall = st.selectbox(tr("label.hall"), halls, index=None, key=HALL, persist_state="session",
                            accept_new_options=True, placeholder=tr("audit.hall_hint"), help=tr("audit.hall_help"))
    with middle:
        round_name = st.selectbox(tr("label.round"), rounds, key=ROUND, persist_state="session",
                                  accept_new_options=True, help=tr("audit.round_help"))
    with right:
        inspector = inspector_input()
    return (hall or "").strip(), (round_name or "").strip(), inspector


# -- new audit: upload and check ----------------------------------------------------------------------------
def uploaded_batch() -> uploads.Batch | None:
    st.subheader(tr("audit.step_upload"))
    kind = st.radio(tr("audit.upload_kind"), (FILES, FOLDER), key=UPLOAD_KIND, horizontal=True,
                    persist_state="session", format_func=texts_of("audit.upload_"),
                    label_visibility="collapsed")
    limits = tr("audit.upload_limits", file_mb=uploads.MAX_FILE_MB, batch_mb=uploads.MAX_BATCH_BYTES // uploads.MB,
                files=uploads.MAX_BATCH_FILES)
    files = st.file_uploader(tr(f"audit.upload_{kind}_label"), key=f"audit_uploader_{kind}",
                             accept_multiple_files=True if kind == FILES else "directory",
                             max_upload_size=uploads.MAX_FILE_MB, help=limits)
    st.caption(limits)
    if not files:
        return None
    shas: dict[str, str] = _state(FILE_SHAS, {})  # by the uploader's file id: bytes are hashed once
    batch_uploads = []
    for file in files:
        data = file.getvalue()
        if file.file_id not in shas:
            shas[file.file_id] = uploads.Upload(file.name, data).digest()
        batch_uploads.append(uploads.Upload(file.name, data, shas[file.file_id]))
    bar = st.empty()

    def step(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=tr("audit.checking", done=done, total=total, name=photo_label(name)))

    cache = _state(CHECKED, {})
    batch = uploads.check_batch(batch_uploads, cache=cache, progress=step)
    bar.empty()
    current = {u.sha256 for u in batch_uploads}
    for sha in [s for s in cache if s not in current]:  # forget what the reader took out of the batch
        del cache[sha]
    for file_id in [f for f, sha in shas.items() if sha not in current]:
        del shas[file_id]
    report_batch(len(files), batch)
    return batch


def report_batch(received: int, batch: uploads.Batch) -> None:
    st.markdown(tr("audit.received", received=received, photos=len(batch.photos), duplicates=len(batch.duplicates),
                   rejected=len(batch.rejected), size=f"{batch.total_bytes / uploads.MB:.1f}"))
    if batch.rejected:
        st.error(tr("audit.rejected_title", n=len(batch.rejected)) + "\n\n"
                 + "\n".join(f"- **{p.name}**: {p.text(lang())}" for p in batch.rejected))
    if batch.duplicates:
        st.info(tr("audit.duplicates_title", n=len(batch.duplicates)) + "\n\n"
                + "\n".join(f"- {p.text(lang())}" for p in batch.duplicates))
    if batch.renamed:
        st.caption("  \n".join(p.text(lang()) for p in batch.renamed))


# -- new audit: tag areas -----------------------------------------------------------------------------------
def _apply_area_to_untagged(shas: list[str]) -> None:
    area = st.session_state.get("audit_bulk_area")
    if area is None:
        return
    areas: dict[str, Area | None] = _state(AREAS, {})
    for sha in shas:
        if areas.get(sha) is None:
            areas[sha] = Area(area)
            st.session_state[f"audit_area_{sha}"] = Area(area)


def suggest_from_signs(photos: list[uploads.CheckedPhoto]) -> None:
    """Read the signs on untagged photos (OCR) and tag those whose texts name exactly one area."""
    reader = common.get_auditor().detectors.texts
    if reader is None:
        flash("info", tr("audit.no_text_reader"))
        return
    areas: dict[str, Area | None] = _state(AREAS, {})
    bar = st.progress(0.0)
    found = 0
    for index, photo in enumerate(photos):
        bar.progress(index / len(photos), text=tr("audit.reading_signs", done=index, total=len(photos),
                                                  name=photo_label(photo.name)))
        try:
            area = uploads.area_from_photo(decode_photo(photo.data, photo.name).image, reader)
        except (PhotoReadError, RuntimeError, ValueError):
            area = None
        if area is not None:
            areas[photo.sha256] = area
            _state(FROM_SIGNS, {})[photo.sha256] = area
            st.session_state[f"audit_area_{photo.sha256}"] = area
            found += 1
    bar.empty()
    flash("success" if found else "info", tr("audit.signs_result", found=found, total=len(photos)))


def tag_areas(batch: uploads.Batch) -> dict[str, Area | None]:
    st.subheader(tr("audit.step_tag"))
    areas: dict[str, Area | None] = _state(AREAS, {})
    for photo in batch.photos:
        key = f"audit_area_{photo.sha256}"
        if key in st.session_state:  # the reader's choice, already known at the top of this run
            areas[photo.sha256] = st.session_state[key]
        else:  # a photo seen for the first time starts with its suggested area
            areas.setdefault(photo.sha256, photo.suggested_area)
    untagged = [p for p in batch.photos if areas.get(p.sha256) is None]
    tagged = len(batch.photos) - len(untagged)
    st.caption(tr("audit.tag_hint", tagged=tagged, total=len(batch.photos)))
    if untagged:
        bulk, apply_, signs = st.columns([3, 2, 3], vertical_alignment="bottom")
        with bulk:
            st.selectbox(tr("audit.bulk_area"), list(Area), index=None, key="audit_bulk_area",
                         format_func=texts_of("area."), placeholder=tr("audit.area_placeholder"))
        with apply_:
            st.button(tr("audit.apply_to_untagged", n=len(untagged)), on_click=_apply_area_to_untagged,
                      args=([p.sha256 for p in untagged],), width="stretch")
        with signs:
            if st.button(tr("audit.read_signs", n=len(untagged)), help=tr("audit.read_signs_help"), width="stretch"):
                # Before the grid's selectboxes exist in this run, so their values can still be set.
                suggest_from_signs(untagged)
                st.rerun()
    photos = batch.photos
    pages = max(1, -(-len(photos) // TAGS_PER_PAGE))
    page = st.pagination(pages, key=f"audit_tag_page_{pages}") if pages > 1 else 1
    shown = photos[(page - 1) * TAGS_PER_PAGE: page * TAGS_PER_PAGE]
    for row in range(0, len(shown), 4):
        for column, photo in zip(st.columns(4), shown[row: row + 4], strict=False):
            with column, st.container(border=True):
                key = f"audit_area_{photo.sha256}"
                if key not in st.session_state:
                    st.session_state[key] = areas.get(photo.sha256)
                st.image(photo.thumbnail, width="stretch")
                st.caption(f"**{photo_label(photo.name)}** · {photo.width}×{photo.height} · {photo.size_mb:.1f} MB")
                chosen = st.selectbox(tr("label.area"), list(Area), index=None, key=key, format_func=texts_of("area."),
                                      placeholder=tr("audit.area_placeholder"), label_visibility="collapsed")
                areas[photo.sha256] = chosen
                if chosen is not None and chosen == st.session_state.get(FROM_SIGNS, {}).get(photo.sha256):
                    st.caption(tr("audit.suggested_from_signs"))
                elif chosen is not None and chosen == photo.suggested_area:
                    st.caption(tr("audit.suggested_from_name"))
    untagged = [p for p in batch.photos if areas.get(p.sha256) is None]
    if untagged:
        names = punct("、").join(photo_label(p.name) for p in untagged[:10]) + (" …" if len(untagged) > 10 else "")
        st.warning(tr("audit.untagged", n=len(untagged), names=names))
    return {p.sha256: areas.get(p.sha256) for p in batch.photos}


# -- new audit: run -----------------------------------------------------------------------------------------
def _request_run() -> None:
    # New audits always go to the real store; show it (the sidebar may be on the sample streets).
    st.session_state[common.SOURCE_KEY] = common.REAL
    st.session_state[RUN] = True


def run_audit(batch: uploads.Batch, areas: dict[str, Area | None], hall: str, round_name: str,
              inspector: str, fingerprint: str) -> None:
    target = common.real_store()
    manual_sha256 = common.manual().sha256
    tagged = [(p.sha256, areas[p.sha256]) for p in batch.photos if areas.get(p.sha256) is not None]
    done: dict[str, int] = _state(DONE, {})
    existing = done.get(fingerprint) or uploads.find_audited_batch(target, hall, round_name, tagged, manual_sha256)
    if existing is not None:
        done[fingerprint] = existing
        st.session_state[SHOWN] = (fingerprint, existing)
        st.info(tr("audit.already_audited", id=existing))
        return
    inputs, _ = uploads.to_inputs(batch.photos, areas)
    # Set before the first Streamlit call of the run: a click while the audit runs reruns the script, which
    # stops it at its next progress update, before anything is stored (the audit is saved in one transaction
    # at the end). The next run finds this left behind and tells the reader (interrupted_audit).
    st.session_state[RUNNING] = {"fingerprint": fingerprint, "hall": hall, "round": round_name, "tagged": tagged,
                                 "manual": manual_sha256, "photos": len(inputs)}
    bar = st.progress(0.0, text=tr("audit.loading_models"))

    def step(index: int, total: int, name: str) -> None:
        bar.progress(index / max(total, 1), text=tr("audit.auditing", done=index, total=total, name=photo_label(name)))

    try:
        audit_id, result = common.get_auditor().audit(
            inputs, hall, round_name, inspector=inspector or None, rejected=[p.rejected() for p in batch.notes],
            store=target, progress=step)
    except AuditorError as exc:
        st.session_state.pop(RUNNING, None)
        bar.empty()
        # The store's reason is English: a Chinese reader is told what happened in Chinese.
        st.error(tr("audit.save_failed", detail=str(exc)) if isinstance(exc, StoreError)
                 else tr("audit.audit_failed", detail=str(exc)))
        return
    # Remembered before any other Streamlit call, which a second click could interrupt.
    st.session_state.pop(RUNNING, None)
    if audit_id is not None:
        done[fingerprint] = audit_id
        st.session_state[SHOWN] = (fingerprint, audit_id)
    bar.empty()
    if audit_id is None:
        st.error(tr("audit.nothing_audited") + "\n\n"
                 + "\n".join(f"- **{r.photo}**: {rejected_reason(r, lang())}" for r in result.rejected))
        return
    st.session_state[REVIEW_HALL] = hall
    st.session_state[REVIEW_ID] = audit_id
    st.success(tr("audit.saved", id=audit_id, photos=len(result.photos), score=score_text(result.score.score),
                  grade=tr(f"grade.{result.score.grade}")))


def interrupted_audit() -> None:
    """Tell the reader about an audit an earlier run started and did not finish (a click or a page change while
    it ran): nothing was stored, so it must be run again; or, should it have been stored after all, show it."""
    running = st.session_state.pop(RUNNING, None)
    if running is None or st.session_state.get(RUN):  # the reader pressed the button again: it runs anew now
        return
    stored = uploads.find_audited_batch(common.real_store(), running["hall"], running["round"], running["tagged"],
                                        running["manual"])
    if stored is not None:
        _state(DONE, {})[running["fingerprint"]] = stored
        st.session_state[SHOWN] = (running["fingerprint"], stored)
        st.info(tr("audit.already_audited", id=stored))
    else:
        st.warning(tr("audit.interrupted", hall=running["hall"], round=running["round"], n=running["photos"]))


def new_audit() -> None:
    run_requested = st.session_state.pop(RUN, False)
    target = common.real_store()
    hall, round_name, inspector = hall_round_inspector(target)
    batch = uploaded_batch()
    if batch is None or not batch.photos:
        return
    areas = tag_areas(batch)
    tagged = [(p.sha256, a) for p in batch.photos if (a := areas.get(p.sha256)) is not None]
    fingerprint = uploads.batch_fingerprint(hall, round_name, tagged, common.manual().sha256)
    st.subheader(tr("audit.step_run"))
    missing = [tr("audit.need_hall")] if not hall else []
    if not round_name:
        missing.append(tr("audit.need_round"))
    if not tagged:
        missing.append(tr("audit.need_tags"))
    if missing:
        st.caption(" · ".join(missing))
    if common.store() is not target:
        st.caption(tr("audit.goes_to_real"))
    st.button(tr("audit.run", n=len(tagged)), type="primary", disabled=bool(missing), on_click=_request_run,
              key="audit_run_button")
    if run_requested and not missing:
        run_audit(batch, areas, hall, round_name, inspector, fingerprint)
    shown = st.session_state.get(SHOWN)
    if shown is not None and shown[0] == fingerprint:
        st.divider()
        show_audit(target, shown[1])
    elif shown is not None:
        st.caption(tr("audit.previous_audit", id=shown[1]))


# -- review -------------------------------------------------------------------------------------------------
def pick_audit(source: AuditStore) -> int | None:
    halls = source.halls()
    if not halls:
        st.info(tr("label.no_audits"))
        return None
    if st.session_state.get(REVIEW_HALL) not in halls:
        st.session_state.pop(REVIEW_HALL, None)
    left, middle, right = st.columns([3, 4, 3])
    with left:
        hall = st.selectbox(tr("label.hall"), halls, key=REVIEW_HALL, persist_state="session")
    audits = list(reversed(source.audits_of_hall(hall))) if hall else []
    by_id = {a.audit_id: a for a in audits}
    if st.session_state.get(REVIEW_ID) not in by_id:
        st.session_state.pop(REVIEW_ID, None)

    labels = {a.audit_id: f"#{a.audit_id} · {a.round} · {a.created_at.astimezone(local_zone()):%Y-%m-%d %H:%M} · "
                          f"{score_text(a.score)} {tr(f'grade.{a.grade}')}" for a in audits}

    with middle:
        audit_id = st.selectbox(tr("audit.pick_audit"), list(by_id), key=REVIEW_ID, format_func=labels.__getitem__,
                                persist_state="session")
    with right:
        inspector_input()
    return audit_id


# -- one audit: score, photos, findings, overrides ------------------------------------------------------------
def _override(url: str, finding_id: int, expected_sequence: int, score_before: float | None, audit_id: int) -> None:
    """The override form's callback: ``expected_sequence`` is the version of the finding the inspector saw."""
    state = st.session_state
    comment_key = f"audit_ov_{finding_id}_comment"
    outcome = review.apply_override(common.store_at(url), finding_id, state[f"audit_ov_{finding_id}_verdict"],
                                    state.get(comment_key, ""), state.get(INSPECTOR) or "", expected_sequence,
                                    score_before)
    text = outcome.text(lang())  # every part in the reader's language, the other inspector's time local
    if outcome.saved:
        state[comment_key] = ""
        _state(CHANGES, {})[audit_id] = (outcome.score_before, outcome.score_after)
        flash("success", text, where=finding_id)
        st.toast(text)
    else:
        flash("error", text, where=finding_id)


def show_summary(stored: StoredAudit, manual: Manual) -> None:
    result, score = stored.result, stored.result.score
    st.subheader(f"{result.hall} · {result.round}")
    st.caption(" · ".join([
        f"{tr('label.audit')} #{stored.audit_id}",
        f"{tr('label.date')} {stored.created_at.astimezone(local_zone()):%Y-%m-%d %H:%M}",
        f"{tr('label.inspector')} {result.inspector or '—'}",
        f"{tr('label.manual_version')} {result.manual_version}",
    ]))
    change = st.session_state.get(CHANGES, {}).get(stored.audit_id)
    delta = None
    if change is not None and change[1] == score.score and None not in change:
        delta = round(change[1] - change[0], 1)
    counts = review.verdict_counts(result.findings)
    columns = st.columns(5)
    columns[0].metric(tr("label.score"), score_text(score.score), delta=delta, border=True)
    columns[1].metric(tr("label.grade"), tr(f"grade.{score.grade}"), border=True)
    columns[2].metric(tr("label.coverage"), f"{score.coverage:.0%}", border=True)
    columns[3].metric(tr("label.photos"), len(result.photos), border=True)
    columns[4].metric(tr("audit.failures"), counts[Verdict.FAIL], border=True)
    rules = manual.rules_by_id

    def titled(ids: Sequence[str]) -> str:
        return punct("；").join(f"{i} {rules[i].title.get(lang()) if i in rules else ''}".strip() for i in ids)

    if score.failed_critical:
        st.error(f"**{tr('label.failed_critical')}**{punct('：')}{titled(score.failed_critical)}")
    if score.unassessed_critical:
        st.warning(f"**{tr('label.unassessed_critical')}**{punct('：')}{titled(score.unassessed_critical)}")
    st.markdown(f"**{tr('label.category_scores')}**")
    categories = manual.categories_by_id
    for column, line in zip(st.columns(len(score.categories)), score.categories, strict=True):
        name = categories[line.category].name.get(lang()) if line.category in categories else line.category
        column.metric(name, score_text(line.score))
    if result.uncovered_areas:
        areas = punct("、").join(area_name(a) for a in result.uncovered_areas)
        st.info(f"{tr('label.uncovered_areas')}{punct('：')}{areas}")
    if result.rejected:
        with st.expander(counted(tr("label.rejected_photos"), len(result.rejected))):
            st.markdown("\n".join(f"- **{r.photo}**: {rejected_reason(r, lang())}" for r in result.rejected))


def show_finding(finding: Finding, manual: Manual, source: AuditStore, audit_id: int, score: float | None) -> None:
    rule = manual.rules_by_id.get(finding.rule_id)
    title = rule.title.get(lang()) if rule is not None else ""
    final = finding.final_verdict
    text, action = st.columns([5, 1], vertical_alignment="top")
    with text:
        st.markdown(f":{BADGE[final]}-badge[{verdict_name(final)}] **{finding.rule_id}** {title}")
        if finding.override is not None:
            o = finding.override
            st.caption(tr("audit.overridden", machine=verdict_name(finding.verdict), verdict=verdict_name(o.verdict),
                          by=o.by, at=f"{o.at.astimezone(local_zone()):%Y-%m-%d %H:%M}", comment=o.comment))
        st.markdown(render_message(finding, manual, lang()))
        evidence = evidence_summary(finding, manual, lang())
        if evidence:
            st.caption(f"{tr('label.evidence')}{punct('：')}{evidence}")
        show_flashes(finding.id)
    with action:
        if finding.id is None:
            return
        with st.popover(tr("audit.review_button"), type="tertiary"):
            sequence = finding.override.sequence if finding.override is not None else 0
            with st.form(f"audit_ov_{finding.id}", border=False):
                st.radio(tr("audit.your_verdict"), list(review.VERDICT_ORDER), index=review.VERDICT_ORDER.index(final),
                         format_func=texts_of("verdict."), key=f"audit_ov_{finding.id}_verdict", horizontal=True)
                st.text_area(tr("label.comment"), key=f"audit_ov_{finding.id}_comment",
                             placeholder=tr("audit.comment_hint"))
                st.caption(tr("audit.override_note"))
                st.form_submit_button(tr("audit.save_override"), type="primary", key=f"audit_ov_{finding.id}_save",
                                      on_click=_override,
                                      args=(source.url, finding.id, sequence, score, audit_id))


def show_audit(source: AuditStore, audit_id: int) -> None:
    try:
        stored = source.load(audit_id)
    except AuditorError:
        st.error(tr("audit.load_failed", id=audit_id))
        return
    manual = stored.manual()  # the manual the audit ran with, parsed once per version by the store
    result = stored.result
    show_summary(stored, manual)
    if not st.session_state.get(INSPECTOR, "").strip():
        st.caption(tr("audit.name_for_overrides"))
    counts = review.verdict_counts(result.findings)
    name = texts_of("verdict.")
    verdicts = st.pills(tr("audit.filter"), list(review.VERDICT_ORDER), selection_mode="multi",
                        default=list(review.VERDICT_ORDER), key=VERDICTS, persist_state="session",
                        format_func=lambda v: f"{name(v)} {counts[Verdict(v)]}")
    groups = review.group_by_photo(result, [Verdict(v) for v in verdicts or ()])
    if not groups:
        st.caption(tr("audit.nothing_to_show"))
        return
    pages = max(1, -(-len(groups) // PHOTOS_PER_PAGE))
    page = st.pagination(pages, key=f"audit_page_{audit_id}_{pages}") if pages > 1 else 1
    for group in groups[(page - 1) * PHOTOS_PER_PAGE: page * PHOTOS_PER_PAGE]:
        with st.container(border=True):
            if group.photo is None:
                st.markdown(f"**{tr('label.whole_hall')}** · {tr('audit.whole_hall_hint')}")
                for finding in group.findings:
                    show_finding(finding, manual, source, audit_id, result.score.score)
                continue
            photo = group.photo
            image, findings = st.columns([5, 6], gap="medium")
            with image:
                show_photo(source, photo, group.findings, manual,
                           [f for f in result.findings if f.photo == photo.name])
                st.caption(f"**{photo_label(photo.name)}** · {area_name(photo.area)} · {photo.width}×{photo.height}")
            with findings:
                if not group.findings:
                    st.caption(tr("audit.no_findings"))
                for finding in group.findings:
                    show_finding(finding, manual, source, audit_id, result.score.score)


def show_photo(source: AuditStore, photo: AuditedPhoto, findings: Sequence[Finding], manual: Manual,
               photo_findings: Sequence[Finding] | None = None) -> None:
    """The photo with the evidence of ``findings`` drawn, faces blurred unless this session may see them
    (``photo_findings``: all of the photo's findings, whose person boxes give heads to blur)."""
    if photo.stored_as is None or not source.photo_path(photo.stored_as).is_file():
        st.warning(tr("audit.photo_missing"))
        return
    signature = (manual.sha256, *((f.id, f.rule_id, f.final_verdict.value) for f in findings))
    try:
        st.image(drawn_photo(str(source.photo_path(photo.stored_as)), (photo.width, photo.height), signature,
                             lang(), findings, manual, common.show_faces(), photo_findings), width="stretch")
    except PhotoReadError as exc:
        st.warning(f"{tr('audit.photo_missing')} ({tr(exc.key, **exc.params)})")
    except DetectorConfigError:
        st.warning(tr("faces.model_missing"))


# -- the page -----------------------------------------------------------------------------------------------
st.title(tr("audit.title"))
st.caption(tr("audit.intro"))
mode = st.segmented_control(tr("audit.mode"), (NEW, REVIEW), key=MODE, default=NEW, required=True,
                            persist_state="session", format_func=texts_of("audit.mode_"),
                            label_visibility="collapsed")
show_flashes()
interrupted_audit()
if mode == REVIEW:
    chosen = pick_audit(common.store())
    if chosen is not None:
        st.divider()
        show_audit(common.store(), chosen)
else:
    new_audit()
