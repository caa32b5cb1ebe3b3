"""The pipeline with fake detectors: rules per area, evidence, bad photos, duplicates, lazy analyzers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from auditor.collect import PhotoInput, area_from_name, collect_photos
from auditor.engine import evaluate
from auditor.errors import DetectorConfigError
from auditor.manual import Manual
from auditor.pipeline import Auditor, Detectors
from auditor.types import Area, Verdict
from tests.conftest import FixedObjects, FixedTexts, jpeg_bytes


def _by_rule(findings):
    return {f.rule_id: f for f in findings}


def test_counter_photo_verdicts_with_evidence(counter_auditor: Auditor, manual: Manual) -> None:
    _, result = counter_auditor.audit([PhotoInput("w1.jpg", Area.WINDOW_COUNTER, jpeg_bytes())], "纸坊街道", "R1")
    findings = _by_rule(result.findings)
    assert findings["ITM-02"].verdict is Verdict.FAIL, "a cup stands on the counter top"
    assert any(e.label == "cup" and e.box for e in findings["ITM-02"].evidence)
    assert findings["FAC-02"].verdict is Verdict.PASS, "the evaluation device is on the counter"
    assert findings["SIG-04"].verdict is Verdict.PASS, "the plate reads '3号窗口 综合受理'"
    assert findings["DRS-01"].verdict is Verdict.NOT_ASSESSABLE, "no person detector: dress cannot be judged"
    assert findings["FLR-01"].verdict is Verdict.NOT_ASSESSABLE, "no line analyzer ran"
    window_rules = {r.id for r in manual.rules_for(Area.WINDOW_COUNTER)}
    assert {f.rule_id for f in result.findings if f.photo is not None} <= window_rules
    hall_rules = {r.id for r in manual.rules if r.kind.scope.value == "hall"}
    assert {f.rule_id for f in result.findings if f.photo is None} == hall_rules, "judged once, photo or not"
    no_photo = findings["FAC-08"]  # the convenience corner was not photographed
    assert no_photo.verdict is Verdict.NOT_ASSESSABLE and no_photo.detail_key == "detail.no_photo_of_areas"
    for f in result.findings:
        if f.verdict is not Verdict.NOT_ASSESSABLE:
            assert f.evidence, f"{f.rule_id} decided without evidence"


def test_rules_apply_only_to_their_areas(manual: Manual, counter_auditor: Auditor) -> None:
    _, result = counter_auditor.audit([PhotoInput("wait.jpg", Area.WAITING_AREA, jpeg_bytes())], "H", "R")
    rules = manual.rules_by_id
    assert result.findings
    for f in result.findings:
        assert f.photo is None or Area.WAITING_AREA in rules[f.rule_id].areas


def test_analyzers_run_only_when_a_rule_needs_them(manual: Manual) -> None:
    needs_text = {r.areas[0] for r in manual.rules if r.check == "sign_text"}
    area = next(a for a in Area if all(a not in r.areas for r in manual.rules if r.check == "sign_text"))
    assert area not in needs_text
    texts = FixedTexts([])
    auditor = Auditor(manual, Detectors(objects=None, texts=texts, lines=None))
    auditor.audit([PhotoInput("x.jpg", area, jpeg_bytes())], "H", "R")
    assert texts.calls == 0, f"no sign_text rule covers {area}, so OCR must not run"
    auditor.audit([PhotoInput("y.jpg", Area.WINDOW_COUNTER, jpeg_bytes())], "H", "R")
    assert texts.calls == 1


def test_bad_photos_are_reported_and_the_rest_audited(counter_auditor: Auditor, tmp_path: Path) -> None:
    folder = tmp_path / "window_counter"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(jpeg_bytes())
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "cut.jpg").write_bytes(jpeg_bytes(400, 300)[:500])
    (folder / "notes.txt").write_text("not a photo")
    (folder / ".DS_Store").write_bytes(b"hidden files are the system's, not the inspector's")
    inputs, rejected = collect_photos([folder, tmp_path / "missing.jpg"])
    _, result = counter_auditor.audit(inputs, "H", "R", rejected=rejected)
    assert [p.name for p in result.photos] == [str(folder / "good.jpg")]
    reasons = {Path(r.photo).name: r.reason for r in result.rejected}
    assert set(reasons) == {"zero.jpg", "cut.jpg", "missing.jpg", "notes.txt"}
    assert "empty" in reasons["zero.jpg"] and "truncated" in reasons["cut.jpg"]
    assert "not a photo file" in reasons["notes.txt"] and "no such file" in reasons["missing.jpg"]


def test_same_photo_twice_is_audited_once(counter_auditor: Auditor) -> None:
    data = jpeg_bytes()
    _, result = counter_auditor.audit([PhotoInput("a.jpg", Area.WINDOW_COUNTER, data),
                                       PhotoInput("copy-of-a.jpg", Area.WINDOW_COUNTER, data)], "H", "R")
    assert len(result.photos) == 1
    assert "same photo as a.jpg" in result.rejected[0].reason


def test_area_from_folder_names(tmp_path: Path) -> None:
    assert area_from_name("window_counter") is Area.WINDOW_COUNTER
    assert area_from_name("等候区") is Area.WAITING_AREA
    assert area_from_name("lobby") is None
    (tmp_path / "lobby").mkdir()
    (tmp_path / "lobby" / "a.jpg").write_bytes(jpeg_bytes())
    inputs, rejected = collect_photos([tmp_path / "lobby"])
    assert not inputs and "unknown functional area" in rejected[0].reason
    inputs, rejected = collect_photos([tmp_path / "lobby"], area=Area.ENTRANCE)
    assert inputs[0].area is Area.ENTRANCE and not rejected


def test_area_from_the_nearest_named_folder(tmp_path: Path) -> None:
    nested = tmp_path / "纸坊街道" / "等候区" / "上午"
    nested.mkdir(parents=True)
    (nested / "a.jpg").write_bytes(jpeg_bytes())
    inputs, rejected = collect_photos([tmp_path / "纸坊街道"])
    assert [i.area for i in inputs] == [Area.WAITING_AREA] and not rejected


def test_folder_names_above_the_given_path_do_not_decide(tmp_path: Path) -> None:
    inside = tmp_path / "entrance" / "batch"
    inside.mkdir(parents=True)
    (inside / "a.jpg").write_bytes(jpeg_bytes())
    inputs, rejected = collect_photos([inside])
    assert not inputs and "unknown functional area" in rejected[0].reason


def test_a_file_name_that_is_not_utf8_is_shown_not_fatal(counter_auditor: Auditor, tmp_path: Path, store) -> None:
    import json
    import os

    folder = tmp_path / "window_counter"
    folder.mkdir()
    odd = os.fsdecode(b"\xb0\xec\xca\xc2.jpg")  # "办事" in GBK, from an old Windows share
    (folder / odd).write_bytes(jpeg_bytes())
    inputs, rejected = collect_photos([folder])
    audit_id, result = counter_auditor.audit(inputs, "H", "R", rejected=rejected, store=store)
    name = result.photos[0].name
    assert name.endswith("\\xb0\\xec\\xca\\xc2.jpg"), name
    json.dumps(name, ensure_ascii=False).encode("utf-8")
    assert store.load(audit_id).result.photos[0].name == name


def test_hall_level_rule_judged_once_over_the_hall(manual: Manual) -> None:
    objects = FixedObjects([("ticket_machine", (10, 10, 60, 120))], {"ticket_machine", "guide_map"})
    auditor = Auditor(manual, Detectors(objects=objects, texts=None, lines=None))
    _, result = auditor.audit([PhotoInput("e.jpg", Area.ENTRANCE, jpeg_bytes()),
                               PhotoInput("g.jpg", Area.GUIDANCE_DESK, jpeg_bytes(colour=(1, 2, 3)))], "H", "R")
    fac = [f for f in result.findings if f.rule_id == "FAC-01"]
    assert len(fac) == 1 and fac[0].photo is None and fac[0].verdict is Verdict.PASS


def test_class_map_must_name_manual_objects(manual: Manual) -> None:
    objects = FixedObjects([], {"cup", "coffee_mug"})
    with pytest.raises(DetectorConfigError, match="coffee_mug"):
        Auditor(manual, Detectors(objects=objects, texts=None, lines=None))


def test_a_crashing_check_is_not_assessable_not_fatal(manual: Manual, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.checks import CHECK_KINDS
    from auditor.types import PhotoFacts

    kind = CHECK_KINDS["object_absent"]

    def broken(params, facts):
        raise RuntimeError("bug")

    monkeypatch.setitem(CHECK_KINDS, "object_absent", dataclasses.replace(kind, run=broken))
    facts = PhotoFacts(photo="p.jpg", area=Area.WINDOW_COUNTER, width=10, height=10)
    findings = _by_rule(evaluate(manual, [facts]))
    assert findings["ITM-02"].verdict is Verdict.NOT_ASSESSABLE
    assert "RuntimeError: bug" in findings["ITM-02"].detail_params["error"]


def test_one_auditor_shared_by_two_sessions_analyses_one_photo_at_a_time(manual: Manual) -> None:
    """The app shares one auditor between browser sessions; its detectors must never run twice at once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    class OneAtATime(FixedObjects):
        def __init__(self) -> None:
            super().__init__(found=[("counter", (20, 120, 300, 220))], detectable={"counter"})
            self.inside = 0
            self.most_inside = 0
            self.guard = threading.Lock()

        def detect(self, image):
            with self.guard:
                self.inside += 1
                self.most_inside = max(self.most_inside, self.inside)
            time.sleep(0.02)
            with self.guard:
                self.inside -= 1
            return super().detect(image)

    objects = OneAtATime()
    auditor = Auditor(manual, Detectors(objects=objects, texts=None, lines=None))
    photos = [PhotoInput(f"{i}.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(40 * i, 90, 90))) for i in range(4)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda batch: auditor.audit(batch, hall="H", round_name="R"), [photos[:2], photos[2:]]))
    assert objects.calls == 4 and objects.most_inside == 1


def test_a_photos_analyzers_run_side_by_side_and_one_failing_leaves_the_others(manual: Manual) -> None:
    import threading

    started = threading.Barrier(2, timeout=5)  # both must be inside at once, or the barrier breaks

    class MeetingObjects(FixedObjects):
        def detect(self, image):
            started.wait()
            return super().detect(image)

    class MeetingTexts(FixedTexts):
        def read(self, image):
            started.wait()
            raise RuntimeError("the OCR model broke")

    objects = MeetingObjects(found=[("counter", (20, 120, 300, 220))], detectable={"counter"})
    auditor = Auditor(manual, Detectors(objects=objects, texts=MeetingTexts([]), lines=None))
    facts = auditor.facts(PhotoInput("w.jpg", Area.WINDOW_COUNTER, jpeg_bytes()).read(), Area.WINDOW_COUNTER)
    assert [o.name for o in facts.objects] == ["counter"], "the detector's facts survive the OCR's failure"
    assert "texts" not in facts.analyzed and "objects" in facts.analyzed
