"""The audit screen (views/audit.py) headless with AppTest: upload, check, tag, audit once, review, override.

The models are the fake ``counter_auditor`` (a cup on the counter fails), the stores temporary files; the
sample streets are a temporary store holding one audit already, so they are never audited here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auditor.collect import PhotoInput
from auditor.errors import StoreError
from auditor.i18n import rejected_reason
from auditor.localtime import local_zone
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area, Verdict
from tests.conftest import jpeg_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HALL = "湖泗街道"


@pytest.fixture()
def stores(counter_auditor: Auditor, tmp_path: Path, monkeypatch) -> tuple[AuditStore, AuditStore]:
    """The real store (holding last round's audit of the hall) and the samples store (one demo audit)."""
    import auditor.samples
    import auditor.store
    import views.common

    real_url, samples_url = f"sqlite:///{tmp_path / 'real.db'}", f"sqlite:///{tmp_path / 'samples.db'}"
    monkeypatch.setenv("AUDITOR_DB_URL", real_url)
    monkeypatch.setattr(auditor.store, "SAMPLES_DB", samples_url)
    monkeypatch.setattr(auditor.samples, "SAMPLES_DIR", tmp_path / "no sample streets")
    monkeypatch.setattr(views.common, "get_auditor", lambda: counter_auditor)
    real, samples = AuditStore(real_url), AuditStore(samples_url)
    counter_auditor.audit([PhotoInput("old.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(90, 90, 90)))], HALL,
                          "2026-Q3", store=real)
    counter_auditor.audit([PhotoInput("demo.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(60, 60, 60)))], "纸坊街道",
                          "sample", store=samples)
    return real, samples


def audit_page(data_source: str = "real", **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["data_source"] = data_source
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("views/audit.py").run()
    assert not at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def score_shown(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "得分")


def test_a_batch_is_checked_tagged_audited_once_and_overridden(stores, counter_auditor: Auditor) -> None:
    real, samples = stores
    at = audit_page(data_source="samples")  # the sidebar shows the demo streets; a new audit is real all the same
    at.selectbox(key="audit_hall").set_value(HALL)
    at.text_input(key="audit_inspector").input("张三")
    counter, entrance = jpeg_bytes(), jpeg_bytes(colour=(200, 190, 60))
    uploader = at.file_uploader(key="audit_uploader_files")
    uploader.upload("window_counter/w1.jpg", counter, "image/jpeg")
    uploader.upload("IMG_0002.jpg", entrance, "image/jpeg")
    uploader.upload("broken.jpg", b"\xff\xd8\xff\xe0 this is not a photo", "image/jpeg")
    uploader.upload("copy of w1.jpg", counter, "image/jpeg")
    at.run()
    assert not at.exception

    # The corrupt file is named with its reason; the duplicate is counted once, naming the photo it repeats.
    assert "**broken.jpg**: 图片已损坏或不完整" in texts(at.error)
    assert "copy of w1.jpg 与 window_counter/w1.jpg 是同一张照片" in texts(at.info)
    assert "2 张照片可检查" in texts(at.markdown)
    # The area of a photo in a folder named after its area is filled in; the other photo must be tagged.
    counter_key = f"audit_area_{hashlib.sha256(counter).hexdigest()}"
    entrance_key = f"audit_area_{hashlib.sha256(entrance).hexdigest()}"
    assert at.selectbox(key=counter_key).value == Area.WINDOW_COUNTER
    assert at.selectbox(key=entrance_key).value is None
    assert "IMG_0002.jpg" in texts(at.warning) and "未标注功能区" in texts(at.warning)
    assert at.button(key="audit_run_button").label == "检查 1 张照片"

    at.selectbox(key=entrance_key).set_value(Area.ENTRANCE).run()
    assert "未标注功能区" not in texts(at.warning)
    at.button(key="audit_run_button").click().run()
    assert not at.exception
    assert "已保存检查" in texts(at.success)
    assert at.session_state["data_source"] == "real", "the screen switches to the real audits it just saved to"
    assert [s.round for s in samples.audits_of_hall(HALL)] == []
    audits = real.audits_of_hall(HALL)
    assert [a.round for a in audits] == ["2026-Q3", "2026-Q4"], "a new row beside last round's audit"
    stored = real.load(audits[-1].audit_id).result
    assert sorted((p.name, p.area) for p in stored.photos) == [("IMG_0002.jpg", Area.ENTRANCE),
                                                               ("window_counter/w1.jpg", Area.WINDOW_COUNTER)]
    assert {r.photo for r in stored.rejected} == {"broken.jpg", "copy of w1.jpg"}
    reasons = {r.photo: rejected_reason(r, "zh") for r in stored.rejected}  # stored as keys: any language
    assert reasons["broken.jpg"] == "图片已损坏或不完整" and "同一张照片" in reasons["copy of w1.jpg"]
    assert stored.inspector == "张三"

    # The findings show, failures first, with the score on top.
    assert score_shown(at) == f"{stored.score.score:.1f}"
    findings = texts(at.markdown)
    assert "ITM-02" in findings and ":red-badge[不合格]" in findings
    assert findings.index(":red-badge[不合格]") < findings.index(":green-badge[合格]")
    assert len(at.image) >= 4, "two thumbnails to tag and two drawn photos"

    # Pressing the button again stores nothing twice.
    at.button(key="audit_run_button").click().run()
    assert len(real.audits_of_hall(HALL)) == 2
    assert "已检查过" in texts(at.info)

    # The inspector overrides the cup: the machine verdict stays, the score is recomputed and shown.
    cup = next(f for f in stored.findings if f.rule_id == "ITM-02" and f.verdict == Verdict.FAIL)
    at.radio(key=f"audit_ov_{cup.id}_verdict").set_value(Verdict.PASS)
    at.text_area(key=f"audit_ov_{cup.id}_comment").input("杯子是检查组的")
    at.button(key=f"audit_ov_{cup.id}_save").click().run()
    assert not at.exception
    after = real.load(audits[-1].audit_id).result
    finding = next(f for f in after.findings if f.id == cup.id)
    assert (finding.verdict, finding.final_verdict) == (Verdict.FAIL, Verdict.PASS)
    assert (finding.override.by, finding.override.comment) == ("张三", "杯子是检查组的")
    assert after.score.score != stored.score.score
    assert score_shown(at) == f"{after.score.score:.1f}"
    score_metric = next(m for m in at.metric if m.label == "得分")
    assert score_metric.proto.delta, "the change of score is shown"
    assert f"{stored.score.score:.1f} → {after.score.score:.1f}" in texts(at.success)
    assert "张三" in texts(at.caption) and "杯子是检查组的" in texts(at.caption)


def test_an_override_made_meanwhile_by_someone_else_is_not_overwritten(stores) -> None:
    real, _ = stores
    audit_id = real.audits_of_hall(HALL)[-1].audit_id
    cup = next(f for f in real.load(audit_id).result.findings if f.rule_id == "ITM-02")
    at = audit_page(audit_inspector="张三")
    at.button_group(key="audit_mode").set_value("review").run()
    assert not at.exception
    assert at.selectbox(key="audit_review_id").value == audit_id

    real.override(cup.id, Verdict.PASS, "李四看过了", "李四", expected_sequence=0)  # in another browser
    at.radio(key=f"audit_ov_{cup.id}_verdict").set_value(Verdict.NOT_ASSESSABLE)
    at.text_area(key=f"audit_ov_{cup.id}_comment").input("看不清")
    at.button(key=f"audit_ov_{cup.id}_save").click().run()
    assert not at.exception
    # Who, when (local time), what and why, all in Chinese: no English store message in the sentence.
    refusal = texts(at.error)
    at_local = f"{real.override_history(cup.id)[0].at.astimezone(local_zone()):%Y-%m-%d %H:%M}"
    wanted = ("您的复核未保存", "李四", at_local, "“合格”", "李四看过了", "页面已显示最新结果")
    assert all(part in refusal for part in wanted), refusal
    assert not any(word in refusal for word in ("changed this verdict", "UTC", "reload", "pass")), refusal
    assert [(o.by, o.verdict) for o in real.override_history(cup.id)] == [("李四", Verdict.PASS)]
    assert "李四看过了" in texts(at.caption), "the page shows the current state"

    # Now that the inspector has seen it, a change is recorded after it.
    at.radio(key=f"audit_ov_{cup.id}_verdict").set_value(Verdict.NOT_ASSESSABLE)
    at.text_area(key=f"audit_ov_{cup.id}_comment").input("看不清")
    at.button(key=f"audit_ov_{cup.id}_save").click().run()
    assert [o.by for o in real.override_history(cup.id)] == ["李四", "张三"]


def test_an_override_needs_the_inspectors_name_and_the_screen_reads_in_english(stores) -> None:
    real, _ = stores
    audit_id = real.audits_of_hall(HALL)[-1].audit_id
    cup = next(f for f in real.load(audit_id).result.findings if f.rule_id == "ITM-02")
    at = audit_page(audit_mode="review")
    assert "填写检查人姓名后可复核判定。" in texts(at.caption)
    at.text_area(key=f"audit_ov_{cup.id}_comment").input("没问题")
    at.button(key=f"audit_ov_{cup.id}_save").click().run()
    assert "请先填写检查人姓名" in texts(at.error)
    assert real.override_history(cup.id) == []

    at.button_group(key="audit_verdicts").set_value([Verdict.FAIL]).run()
    verdicts = [m.value for m in at.markdown if "-badge[" in m.value]
    assert verdicts and all(v.startswith(":red-badge[不合格]") for v in verdicts)

    at.sidebar.radio[0].set_value("en").run()  # the screen in English
    assert not at.exception
    assert at.title[0].value == "Audit"
    assert "Enter your name to override verdicts." in texts(at.caption)
    verdicts = [m.value for m in at.markdown if "-badge[" in m.value]
    assert verdicts and all(v.startswith(":red-badge[fail]") for v in verdicts)


def test_untagged_photos_can_be_tagged_from_their_signs_or_all_at_once(stores) -> None:
    at = audit_page()
    plate, other = jpeg_bytes(), jpeg_bytes(colour=(30, 160, 90))
    at.file_uploader(key="audit_uploader_files").upload("IMG_0001.jpg", plate, "image/jpeg")
    at.file_uploader(key="audit_uploader_files").upload("IMG_0002.jpg", other, "image/jpeg")
    at.run()
    keys = [f"audit_area_{hashlib.sha256(data).hexdigest()}" for data in (plate, other)]
    assert [at.selectbox(key=k).value for k in keys] == [None, None]
    # The fake text reader reads a window plate (3号窗口 综合受理) on every photo.
    at.button[[b.label for b in at.button].index("识别标识牌推荐功能区（2 张）")].click().run()
    assert not at.exception
    assert [at.selectbox(key=k).value for k in keys] == [Area.WINDOW_COUNTER, Area.WINDOW_COUNTER]
    assert "根据标识牌标注了 2/2 张照片" in texts(at.success)
    assert "按标识牌推荐" in texts(at.caption)

    at.selectbox(key=keys[1]).set_value(None).run()
    at.selectbox(key="audit_bulk_area").set_value(Area.WAITING_AREA)
    at.button[[b.label for b in at.button].index("应用到未标注的 1 张")].click().run()
    assert [at.selectbox(key=k).value for k in keys] == [Area.WINDOW_COUNTER, Area.WAITING_AREA]
    assert at.button(key="audit_run_button").label == "检查 2 张照片"


def test_an_audit_interrupted_by_the_reader_is_reported_not_forgotten(stores, counter_auditor: Auditor,
                                                                      monkeypatch) -> None:
    import streamlit as st

    import views.common

    real, _ = stores

    class Interrupted:
        """The auditor while the reader clicks: Streamlit stops the script at the next progress update."""

        manual = counter_auditor.manual

        def audit(self, inputs, *args, progress=None, **kwargs):
            progress(0, len(inputs), inputs[0].name)
            st.rerun()

    monkeypatch.setattr(views.common, "get_auditor", lambda: Interrupted())
    at = audit_page()
    at.selectbox(key="audit_hall").set_value(HALL)
    at.file_uploader(key="audit_uploader_files").upload("window_counter/w1.jpg", jpeg_bytes(), "image/jpeg")
    at.run()
    at.button(key="audit_run_button").click().run()
    assert not at.exception
    assert "被中断" in texts(at.warning) and "未保存任何内容" in texts(at.warning), texts(at.warning)
    assert len(real.audits_of_hall(HALL)) == 1, "nothing stored"
    at.run()
    assert "被中断" not in texts(at.warning), "told once"

    # Run again: a store that cannot be written is told in Chinese, without its English reason.
    monkeypatch.setattr(views.common, "get_auditor", lambda: counter_auditor)
    with monkeypatch.context() as patched:
        def locked(self, *args, **kwargs):
            raise StoreError("the audit could not be saved, nothing was written: database is locked")

        patched.setattr(AuditStore, "save", locked)
        at.button(key="audit_run_button").click().run()
    assert "检查结果未能写入检查数据库" in texts(at.error) and "database" not in texts(at.error)
    assert "被中断" not in texts(at.warning)

    # And again: saved.
    at.button(key="audit_run_button").click().run()
    assert "已保存检查" in texts(at.success) and "被中断" not in texts(at.warning)
    assert len(real.audits_of_hall(HALL)) == 2
