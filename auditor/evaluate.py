"""Measure the audit against a synthetic data set whose verdicts are known (``auditor eval DIR``).

The generator (``auditor.synth``) writes DIR/truth.json with the verdict every rule should get on every
photo and hall, and DIR/data.yaml with YOLO labels beside the images. Here the real pipeline audits each
hall's photos together, exactly as ``auditor audit`` would, and its verdicts are compared with the truth:

- verdict accuracy over (photo, rule) and (hall, hall rule) pairs, per category, and a confusion table;
- the hall score beside the true score;
- with an ultralytics object detector, its mAP on the folder's labels.

The comparison itself (``match_verdicts``, ``verdict_metrics``) works on plain verdict mappings, so it can be
tested without images or detectors; ``evaluate_folder`` only feeds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError
from rich.console import RenderableType
from rich.table import Table

from auditor.collect import PhotoInput
from auditor.detection_metrics import DetectorScores, score_detector
from auditor.errors import AuditorError
from auditor.i18n import t
from auditor.manual import Manual
from auditor.photos import PHOTO_SUFFIXES
from auditor.synth.truth import TRUTH_FILE, LooseModel, PhotoTruth, Truth
from auditor.types import Finding, RejectedPhoto, Verdict

if TYPE_CHECKING:  # the pipeline pulls in the detectors; the comparison alone does not need them
    from auditor.pipeline import Auditor

DATA_YAML = "data.yaml"
EVAL_ROUND = "eval"

# A verdict key: (photo file, rule id) for a photo rule, (None, rule id) for a hall rule of the hall.
Key = tuple[str | None, str]


class DatasetError(AuditorError):
    """The evaluation folder, its truth.json or its data.yaml is missing or does not match the schema."""


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'top level'}: {e['msg']}" for e in exc.errors())


def load_truth(folder: Path) -> Truth:
    """The folder's truth.json, validated; DatasetError naming the problem otherwise."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder")
    path = folder / TRUTH_FILE
    if not path.is_file():
        raise DatasetError(f"{folder}: no {TRUTH_FILE} here; is this a folder written by the synthetic generator?")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read it: {exc}") from exc
    try:
        return Truth.model_validate_json(text)
    except ValidationError as exc:
        raise DatasetError(f"{path}: does not match the truth schema: {_problems(exc)}") from exc


# -- the comparison (pure) ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One verdict compared: the truth's and the pipeline's, for a photo rule (photo set) or a hall rule."""

    hall: str
    photo: str | None
    rule_id: str
    category: str
    expected: Verdict
    predicted: Verdict

    @property
    def correct(self) -> bool:
        return self.expected is self.predicted


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    unjudged: tuple[Key, ...]   # the truth expects a verdict the pipeline did not give
    untruthed: tuple[Key, ...]  # the pipeline gave a verdict the truth does not know


def predicted_verdicts(findings: Iterable[Finding]) -> dict[Key, Verdict]:
    return {(f.photo, f.rule_id): f.verdict for f in findings}


def match_verdicts(hall: str, expected: Mapping[Key, Verdict], predicted: Mapping[Key, Verdict],
                   rule_category: Mapping[str, str]) -> Matching:
    """Pair the truth's verdicts with the pipeline's. Keys on one side only are kept apart, not counted as
    wrong: they mean the truth and the manual disagree on which rules apply, which accuracy cannot show."""
    pairs = tuple(Pair(hall=hall, photo=key[0], rule_id=key[1], category=rule_category.get(key[1], "?"),
                       expected=verdict, predicted=predicted[key])
                  for key, verdict in expected.items() if key in predicted)
    return Matching(pairs=pairs, unjudged=tuple(k for k in expected if k not in predicted),
                    untruthed=tuple(k for k in predicted if k not in expected))


@dataclass(frozen=True)
class Metrics:
    verdict_accuracy: float | None  # None when no pair was compared
    per_category: dict[str, float | None]
    category_pairs: dict[str, int]
    confusion: dict[str, dict[str, int]]  # truth verdict -> predicted verdict -> count
    pairs: int
    correct: int
    # rule id -> {"pairs": n, "wrong": n, "truth->predicted": n for each way it was wrong}, most wrong first
    per_rule: dict[str, dict[str, int]] = field(default_factory=dict)


def _share(correct: int, total: int) -> float | None:
    return correct / total if total else None


def verdict_metrics(pairs: Sequence[Pair], categories: Sequence[str]) -> Metrics:
    """Accuracy overall and per category (every category listed, None where it has no pair) and the
    confusion table over all three verdicts (zeros included, so tables line up between runs)."""
    confusion = {e.value: {p.value: 0 for p in Verdict} for e in Verdict}
    total: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    rules: dict[str, dict[str, int]] = defaultdict(lambda: {"pairs": 0, "wrong": 0})
    for pair in pairs:
        confusion[pair.expected.value][pair.predicted.value] += 1
        total[pair.category] += 1
        right[pair.category] += pair.correct
        rule = rules[pair.rule_id]
        rule["pairs"] += 1
        if not pair.correct:
            rule["wrong"] += 1
            way = f"{pair.expected.value}->{pair.predicted.value}"
            rule[way] = rule.get(way, 0) + 1
    correct = sum(right.values())
    listed = list(categories) + sorted(set(total) - set(categories))
    return Metrics(verdict_accuracy=_share(correct, len(pairs)),
                   per_category={c: _share(right[c], total[c]) for c in listed},
                   category_pairs={c: total[c] for c in listed}, confusion=confusion, pairs=len(pairs),
                   correct=correct,
                   per_rule=dict(sorted(rules.items(), key=lambda item: (-item[1]["wrong"], item[0]))))


# -- the run ------------------------------------------------------------------------------------------------

@dataclass
class HallOutcome:
    score: float | None
    true_score: float | None
    grade: str | None
    true_grade: str
    photos: int
    pairs: int
    accuracy: float | None


@dataclass
class EvalReport:
    folder: str
    manual_version: str
    photos: int
    metrics: Metrics
    halls: dict[str, HallOutcome]
    errors: list[RejectedPhoto] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    map50: float | None = None
    map50_95: float | None = None
    map50_95_per_class: dict[str, float] | None = None
    ap50_per_class: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        m = self.metrics
        data: dict[str, Any] = {
            "folder": self.folder,
            "manual_version": self.manual_version,
            "verdict_accuracy": m.verdict_accuracy,
            "per_category": m.per_category,
            "per_category_pairs": m.category_pairs,
            "confusion": m.confusion,
            "per_rule": m.per_rule,
            "halls": {hall: vars(outcome) for hall, outcome in self.halls.items()},
            "photos": self.photos,
            "pairs": m.pairs,
            "errors": [e.model_dump() for e in self.errors],
            "notes": list(self.notes),
        }
        if self.map50 is not None and self.map50_95 is not None:
            data["map50"] = self.map50
            data["map50_95"] = self.map50_95
            data["map50_95_per_class"] = self.map50_95_per_class
            data["ap50_per_class"] = self.ap50_per_class
        return data


def _key_summary(keys: Sequence[Key], limit: int = 8) -> str:
    rules = sorted({rule for _, rule in keys})
    return ", ".join(rules[:limit]) + (f" … ({len(rules)} rules)" if len(rules) > limit else "")


def evaluate_folder(folder: Path, truth: Truth, auditor: Auditor) -> EvalReport:
    """Audit each hall's photos together and compare every verdict with the truth. A photo file that is
    missing or unreadable is listed in ``errors`` and the rest go on; a hall with no photo left is not
    compared (its hall rules would be judged on nothing)."""
    manual = auditor.manual
    notes: list[str] = []
    if truth.generator.manual_sha256 != manual.sha256:
        notes.append(f"the truth was generated with manual {truth.generator.manual_version} "
                     f"(sha256 {truth.generator.manual_sha256[:12]}), this evaluation uses {manual.version} "
                     f"(sha256 {manual.sha256[:12]}): verdicts of changed rules will not match")
    rule_category = {rule.id: rule.category for rule in manual.rules}
    by_hall: dict[str, list[PhotoTruth]] = defaultdict(list)
    for photo in truth.photos:
        by_hall[photo.hall].append(photo)
    errors: list[RejectedPhoto] = []
    halls: dict[str, HallOutcome] = {}
    pairs: list[Pair] = []
    unjudged: list[Key] = []
    untruthed: list[Key] = []
    resized: list[str] = []
    photos_done = 0
    for hall, hall_truth in truth.halls.items():
        inputs = []
        for photo in by_hall.get(hall, []):
            path = folder / photo.file
            if path.is_file():
                inputs.append(PhotoInput(name=photo.file, area=photo.area, source=path))
            else:
                errors.append(RejectedPhoto(photo=photo.file, reason=f"listed in {TRUTH_FILE} but no such file: "
                                                                     f"{path}"))
        outcome = HallOutcome(score=None, true_score=hall_truth.true_score, grade=None,
                              true_grade=hall_truth.true_grade, photos=0, pairs=0, accuracy=None)
        halls[hall] = outcome
        if not inputs:
            notes.append(f"hall {hall}: no photo to audit; its verdicts are not compared")
            continue
        _, result = auditor.audit(inputs, hall=hall, round_name=EVAL_ROUND, store=None)
        errors.extend(result.rejected)
        if not result.photos:
            notes.append(f"hall {hall}: no photo could be audited; its verdicts are not compared")
            continue
        audited = {p.name for p in result.photos}
        sizes = {p.file: (p.width, p.height) for p in by_hall[hall]}
        resized.extend(p.name for p in result.photos if sizes[p.name] != (p.width, p.height))
        expected: dict[Key, Verdict] = {(p.file, rule): verdict for p in by_hall[hall] if p.file in audited
                                        for rule, verdict in p.expected.items()}
        predicted = predicted_verdicts(result.findings)
        if len(audited) == len(by_hall[hall]):
            expected.update({(None, rule): verdict for rule, verdict in hall_truth.expected.items()})
        else:
            # The truth judged the hall rules over all its photos; with some missing they are not comparable.
            predicted = {key: v for key, v in predicted.items() if key[0] is not None}
            notes.append(f"hall {hall}: {len(by_hall[hall]) - len(audited)} photo(s) missing; its hall-level "
                         f"rules are not compared")
        matching = match_verdicts(hall, expected, predicted, rule_category)
        pairs.extend(matching.pairs)
        unjudged.extend(matching.unjudged)
        untruthed.extend(matching.untruthed)
        outcome.score, outcome.grade = result.score.score, result.score.grade
        outcome.photos = len(result.photos)
        outcome.pairs = len(matching.pairs)
        outcome.accuracy = _share(sum(p.correct for p in matching.pairs), len(matching.pairs))
        photos_done += len(result.photos)
    if unjudged:
        notes.append(f"{len(unjudged)} expected verdict(s) got no verdict from the pipeline and are not counted "
                     f"(the manual does not apply these rules there): {_key_summary(unjudged)}")
    if untruthed:
        notes.append(f"{len(untruthed)} verdict(s) of the pipeline have no expected verdict in {TRUTH_FILE} and are "
                     f"not counted: {_key_summary(untruthed)}")
    if resized:
        # The truth's boxes and verdicts were made for the size it names; another size means another image.
        notes.append(f"{len(resized)} photo(s) are not the size {TRUTH_FILE} gives (upright width x height): "
                     f"{', '.join(resized[:5])}{' …' if len(resized) > 5 else ''}")
    report = EvalReport(folder=str(folder), manual_version=manual.version, photos=photos_done,
                        metrics=verdict_metrics(pairs, [c.id for c in manual.categories]), halls=halls,
                        errors=errors, notes=notes)
    objects = auditor.detectors.objects
    if objects is not None and photos_done:
        scores, note = detector_map(objects, folder, truth.generator.classes)
        if scores is not None:
            report.map50, report.map50_95 = scores.map50, scores.map50_95
            report.map50_95_per_class, report.ap50_per_class = scores.per_class, scores.ap50_per_class
        if note is not None:
            report.notes.append(note)
    return report


# -- detector mAP -------------------------------------------------------------------------------------------

class DataYaml(LooseModel):
    train: str | list[str]
    val: str | list[str]
    names: dict[int, str] | list[str]

    def class_names(self) -> list[str]:
        if isinstance(self.names, list):
            return list(self.names)
        if sorted(self.names) != list(range(len(self.names))):
            raise ValueError(f"names must be numbered 0..{len(self.names) - 1}, got {sorted(self.names)}")
        return [self.names[i] for i in range(len(self.names))]

    def image_dirs(self) -> list[str]:
        dirs: list[str] = []
        for entry in (self.train, self.val):
            dirs.extend([entry] if isinstance(entry, str) else entry)
        return list(dict.fromkeys(dirs))


def read_data_yaml(folder: Path) -> DataYaml:
    path = folder / DATA_YAML
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return DataYaml.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetError(f"{path}: cannot read it: {exc}") from exc
    except ValidationError as exc:
        raise DatasetError(f"{path}: not a dataset yaml: {_problems(exc)}") from exc


def detector_map(objects: Any, folder: Path, truth_classes: Sequence[str]
                 ) -> tuple[DetectorScores | None, str | None]:
    """mAP of the object detector, as the audit runs it, on the folder's labels (``detection_metrics``),
    and a note on why not or on what differed. The folder is a held-out set as a whole, so its train and
    val images are both scored."""
    try:
        data = read_data_yaml(folder)
        classes = data.class_names()
    except (DatasetError, ValueError) as exc:
        return None, f"no detector mAP: {exc}"
    note = (None if list(truth_classes) == classes else
            f"{TRUTH_FILE} lists the classes {list(truth_classes)}, {DATA_YAML} {classes}; the labels follow "
            f"{DATA_YAML}")
    images = sorted(p for d in data.image_dirs() if (folder / d).is_dir() for p in (folder / d).iterdir()
                    if p.suffix.lower() in PHOTO_SUFFIXES)
    if not images:
        return None, f"no detector mAP: no images in the folders of {DATA_YAML} ({data.image_dirs()})"
    scores = score_detector(objects, images, classes)
    if scores is None:
        return None, "no detector mAP: none of the classes the detector finds is labelled in the folder"
    return scores, note


# -- the summary --------------------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


MOST_WRONG_SHOWN = 10


def summary(report: EvalReport, manual: Manual, lang: str) -> list[RenderableType]:
    """What ``auditor eval`` prints: the headline, then the category, confusion and hall tables, and the
    rules most often judged wrong."""
    m = report.metrics
    head = (f"[bold]{t('label.accuracy', lang)}: {_pct(m.verdict_accuracy)}[/bold] ({m.correct}/{m.pairs} "
            f"{t('label.pairs', lang)}, {report.photos} {t('label.photos', lang)})")
    if report.map50 is not None and report.map50_95 is not None:
        head += f"  mAP50 {report.map50:.3f}  mAP50-95 {report.map50_95:.3f}"
    categories = Table(show_header=True, header_style="bold")
    for column in ("category", "pairs", "accuracy_col"):
        categories.add_column(t(f"label.{column}", lang), justify="left" if column == "category" else "right")
    for category, accuracy in m.per_category.items():
        known = manual.categories_by_id.get(category)
        categories.add_row(known.name.get(lang) if known else category, str(m.category_pairs[category]),
                           _pct(accuracy))
    confusion = Table(show_header=True, header_style="bold")
    confusion.add_column(t("label.truth", lang))
    for predicted in Verdict:
        confusion.add_column(t("verdict." + predicted.value, lang), justify="right")
    for expected, row in m.confusion.items():
        confusion.add_row(t("verdict." + expected, lang), *(str(n) for n in row.values()))
    halls = Table(show_header=True, header_style="bold")
    for column in ("hall", "score", "true_score", "grade", "true_grade", "pairs", "accuracy_col"):
        halls.add_column(t(f"label.{column}", lang), justify="left" if column == "hall" else "right")
    for hall, h in report.halls.items():
        halls.add_row(hall, _num(h.score), _num(h.true_score), "-" if h.grade is None else t("grade." + h.grade, lang),
                      t("grade." + h.true_grade, lang), str(h.pairs), _pct(h.accuracy))
    rules = Table(show_header=True, header_style="bold")
    for column in ("rule", "pairs", "wrong", "wrong_as"):
        rules.add_column(t(f"label.{column}", lang), justify="right" if column in ("pairs", "wrong") else "left")
    titles = {rule.id: rule.title.get(lang) for rule in manual.rules}
    for rule_id, counts in list(m.per_rule.items())[:MOST_WRONG_SHOWN]:
        if not counts["wrong"]:
            break
        ways = ", ".join(f"{t('verdict.' + way.split('->')[0], lang)}→{t('verdict.' + way.split('->')[1], lang)} "
                         f"{n}" for way, n in counts.items() if "->" in way)
        rules.add_row(f"{rule_id} {titles.get(rule_id, '')}", str(counts["pairs"]), str(counts["wrong"]), ways)
    return [head, categories, confusion, halls, rules]
