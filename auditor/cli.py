"""The ``auditor`` command: audit photos, list halls, show an audit, check a manual."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from auditor.checks import Analyzer
from auditor.errors import AuditorError, ManualError
from auditor.files import write_atomically
from auditor.i18n import rejected_reason, render_message, t
from auditor.manual import DEFAULT_MANUAL, Manual, load_manual
from auditor.reports import audit_to_dict
from auditor.samples import SAMPLES_DIR
from auditor.store import SAMPLES_DB
from auditor.types import Area, AuditResult, Verdict

app = typer.Typer(help="Hall standardization compliance auditor / 政务服务大厅标准化合规检查", no_args_is_help=True,
                  pretty_exceptions_enable=False)
manual_app = typer.Typer(help="Work with the standardization manual.", no_args_is_help=True)
app.add_typer(manual_app, name="manual")

# soft_wrap: long messages and paths stay on one line, for people copying them and for logs.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)



class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOption = Annotated[Lang, typer.Option("--lang", help="language of the output: zh or en")]
DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL of the store (default: data/auditor.db, "
                                                           "or $AUDITOR_DB_URL)")]
ManualOption = Annotated[Path, typer.Option("--manual", help="the standardization manual (YAML)")]
DetectorOption = Annotated[Path | None, typer.Option("--detector", help="detector config: a list of detectors "
                                                                        "or one (default: models/detectors.yaml)")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _load_manual(path: Path) -> Manual:
    try:
        return load_manual(path)
    except ManualError as exc:
        raise _fail(str(exc)) from None


def _make_auditor(manual: Manual, detector: Path | None):
    # Imported here so that `auditor manual check` and `auditor halls` start without loading torch.
    from auditor.detectors.fusion import DEFAULT_CONFIG
    from auditor.pipeline import Auditor, default_detectors

    try:
        detectors = default_detectors((detector or DEFAULT_CONFIG).resolve())
        auditor = Auditor(manual, detectors)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    for note in detectors.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    return auditor


def _store(db: str | None):
    from auditor.store import AuditStore

    try:
        return AuditStore(db)
    except AuditorError as exc:
        raise _fail(str(exc)) from None


def _print_audit(result: AuditResult, manual: Manual, audit_id: int | None, lang: str) -> None:
    score = result.score
    shown = "-" if score.score is None else f"{score.score:.1f}"
    head = f"{result.hall}  {result.round}  #{audit_id}" if audit_id else f"{result.hall}  {result.round}"
    console.print(f"[bold]{head}[/bold]  {shown}  {t('grade.' + score.grade, lang)}", highlight=False)
    coverage = f"{score.coverage:.0%}"
    console.print(f"{t('label.coverage', lang)}: {coverage}", highlight=False)
    if score.failed_critical:
        console.print(f"[red]{t('label.failed_critical', lang)}: {', '.join(score.failed_critical)}[/red]",
                      highlight=False)
    if score.unassessed_critical:
        console.print(f"[yellow]{t('label.unassessed_critical', lang)}: {', '.join(score.unassessed_critical)}"
                      "[/yellow]", highlight=False)
    table = Table(show_header=True, header_style="bold")
    table.add_column(t("label.category", lang))
    table.add_column(t("label.score", lang), justify="right")
    for c in score.categories:
        table.add_row(manual.categories_by_id[c.category].name.get(lang),
                      "-" if c.score is None else f"{c.score:.1f}")
    console.print(table)
    failures = [f for f in result.findings if f.final_verdict is Verdict.FAIL]
    for f in failures:
        rule = manual.rules_by_id.get(f.rule_id)
        title = rule.title.get(lang) if rule else f.rule_id
        where = "/".join(Path(f.photo).parts[-2:]) if f.photo else t("label.whole_hall", lang)
        console.print(f"  [red]✗[/red] {f.rule_id} {title} — {where}: "
                      f"{render_message(f, manual, lang)}", highlight=False)
    counts = {v: sum(1 for f in result.findings if f.final_verdict is v) for v in Verdict}
    console.print(" · ".join(f"{t('verdict.' + v.value, lang)} {n}" for v, n in counts.items()), highlight=False)
    if result.uncovered_areas:
        areas = ", ".join(t("area." + a.value, lang) for a in result.uncovered_areas)
        console.print(f"{t('label.uncovered_areas', lang)}: {areas}", highlight=False)
    for r in result.rejected:
        console.print(f"[yellow]! {r.photo}: {rejected_reason(r, lang)}[/yellow]", highlight=False)


def _required_text(value: str, option: str) -> str:
    if not value.strip():
        raise _fail(f"{option} must not be empty", code=2)
    return value.strip()


def _write_json(data: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


@app.command()
def audit(
    paths: Annotated[list[Path], typer.Argument(help="photos, or folders of photos (a folder named after a "
                                                     "functional area gives its photos that area)")],
    hall: Annotated[str, typer.Option("--hall", help="the street hall, e.g. 纸坊街道")],
    round_name: Annotated[str | None, typer.Option("--round", help="audit round, e.g. 2026-Q4 (default: "
                                                                   "this quarter)")] = None,
    area_name: Annotated[str | None, typer.Option("--area", help="functional area of all the photos: an id "
                                                                 "(window_counter) or its Chinese name")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector", help="who took the photos")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the audit as JSON to this file")] = None,
    lang: LangOption = Lang.zh,
    manual_path: ManualOption = DEFAULT_MANUAL,
    detector: DetectorOption = None,
    db: DbOption = None,
) -> None:
    """Audit one hall's photos against the manual, store the audit and print its score."""
    from auditor.collect import area_from_name, collect_photos
    from auditor.pipeline import current_round

    hall = _required_text(hall, "--hall")
    round_name = current_round() if round_name is None else _required_text(round_name, "--round")
    area = None
    if area_name is not None:
        area = area_from_name(area_name)
        if area is None:
            choices = ", ".join(f"{a.value} ({t('area.' + a.value, 'zh')})" for a in Area)
            raise _fail(f"--area {area_name!r} is not a functional area; use one of: {choices}", code=2)
    manual = _load_manual(manual_path)
    inputs, rejected = collect_photos(paths, area)
    if not inputs:
        for r in rejected:
            err_console.print(f"[yellow]! {r.photo}: {rejected_reason(r, lang.value)}[/yellow]", highlight=False)
        raise _fail("no photo to audit")
    auditor = _make_auditor(manual, detector)
    store = _store(db)
    try:
        audit_id, result = auditor.audit(inputs, hall=hall, round_name=round_name, inspector=inspector,
                                         rejected=rejected, store=store)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    _print_audit(result, manual, audit_id, lang.value)
    if json_out is not None:
        _write_json(audit_to_dict(result, manual, audit_id, lang.value), json_out)
    if not result.photos:
        raise _fail("no photo could be audited", code=1)


@app.command()
def inspect(
    paths: Annotated[list[Path], typer.Argument(help="photos, or folders of photos")],
    json_out: Annotated[Path, typer.Option("--json", help="write what was found, per photo, to this file")],
    area_name: Annotated[str | None, typer.Option("--area", help="functional area of all the photos (else from "
                                                                 "a folder named after an area, or none)")] = None,
    manual_path: ManualOption = DEFAULT_MANUAL,
    detector: DetectorOption = None,
) -> None:
    """Run every analyzer on photos and write what they found (persons, floor lines, texts, objects) as JSON."""
    from auditor.collect import area_from_name, collect_photos
    from auditor.errors import PhotoReadError
    from auditor.reports import facts_to_dict

    area = None
    if area_name is not None:
        area = area_from_name(area_name)
        if area is None:
            raise _fail(f"--area {area_name!r} is not a functional area; use one of: "
                        f"{', '.join(a.value for a in Area)}", code=2)
    inputs, rejected = collect_photos(paths, area, require_area=False)
    if not inputs:
        for r in rejected:
            err_console.print(f"[yellow]! {r.photo}: {r.reason}[/yellow]", highlight=False)
        raise _fail("no photo to inspect")
    auditor = _make_auditor(_load_manual(manual_path), detector)
    records = []
    errors = [r.model_dump() for r in rejected]
    for item in inputs:
        try:
            photo = item.read()
        except PhotoReadError as exc:
            errors.append({"photo": exc.photo, "reason": exc.reason})
            continue
        facts = auditor.facts(photo, item.area, needed=frozenset(Analyzer))
        records.append(facts_to_dict(facts))
        console.print(f"{item.name}: {len(facts.persons)} persons, {len(facts.floor_lines)} floor lines, "
                      f"{len(facts.texts)} texts, {len(facts.objects)} objects", highlight=False)
    for error in errors:
        console.print(f"[yellow]! {error['photo']}: {error['reason']}[/yellow]", highlight=False)
    _write_json({"photos": records, "errors": errors}, json_out)
    if not records:
        raise _fail("no photo could be inspected")


@app.command()
def samples(
    folder: Annotated[Path, typer.Argument(help="one sub-folder per street hall")] = SAMPLES_DIR,
    round_name: Annotated[str, typer.Option("--round", help="audit round to file them under")] = "sample",
    lang: LangOption = Lang.zh,
    manual_path: ManualOption = DEFAULT_MANUAL,
    detector: DetectorOption = None,
    db: Annotated[str, typer.Option("--db", help="store for the sample audits, kept apart from real audits "
                                                 "so demo data never enters a street's ranking")] = SAMPLES_DB,
) -> None:
    """Audit every street folder of the bundled samples (folder name = hall) and rank the halls."""
    from auditor.samples import audit_samples

    manual = _load_manual(manual_path)
    auditor = _make_auditor(manual, detector)
    store = _store(db)
    try:
        audits = audit_samples(auditor, store, folder, round_name)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    for sample in audits:
        _print_audit(sample.result, manual, sample.audit_id, lang.value)
        console.print()
    halls_cmd(round_name=round_name, lang=lang, db=db)


class BatchEngine(StrEnum):
    local = "local"
    ray = "ray"


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="one sub-folder per hall (folder name = hall), area folders "
                                                "inside, as samples/")],
    round_name: Annotated[str, typer.Option("--round", help="the audit round, e.g. 2026-Q4")],
    engine: Annotated[BatchEngine, typer.Option("--engine", help="local: worker processes on this machine; "
                                                                 "ray: Ray actors (this machine, or the "
                                                                 "cluster at --ray-address)")] = BatchEngine.local,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="a running Ray cluster, e.g. "
                                                                          "ray://head:10001 or auto")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=1024, help="photos analysed at once (processes "
                                                                            "or actors)")] = 2,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the halls' outcomes as JSON")] = None,
    lang: LangOption = Lang.zh,
    manual_path: ManualOption = DEFAULT_MANUAL,
    detector: DetectorOption = None,
    db: DbOption = None,
) -> None:
    """Audit a whole round: every hall folder of FOLDER, photos analysed in parallel, one stored audit per hall."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from auditor.batch import BatchError, DefaultAuditor, hall_jobs, run_batch

    round_name = _required_text(round_name, "--round")
    if ray_address and engine is not BatchEngine.ray:
        raise _fail("--ray-address needs --engine ray", code=2)
    manual = _load_manual(manual_path)
    try:
        jobs = hall_jobs(folder)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    store = _store(db)
    factory = DefaultAuditor(manual, detector.resolve() if detector else None)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task(t("label.photos", lang.value))
            report = run_batch(jobs, manual, round_name, factory, engine=engine.value, workers=workers,
                               ray_address=ray_address, store=store,
                               progress=lambda done, total, _name: bar.update(task, completed=done, total=total))
    except BatchError as exc:
        raise _fail(str(exc)) from None
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    for hall in report.halls:
        if hall.result is not None and hall.audit_id is not None:
            _print_audit(hall.result, manual, hall.audit_id, lang.value)
        else:
            console.print(f"[red]{hall.hall}: {hall.error}[/red]", highlight=False)
            for r in hall.errors:
                console.print(f"[yellow]! {r.photo}: {rejected_reason(r, lang.value)}[/yellow]", highlight=False)
        console.print()
    console.print(f"{report.photos} photos, {len(report.halls)} halls in {report.seconds:.1f} s "
                  f"({report.engine}, {report.workers} workers"
                  + (f"; {report.retried} tries repeated, {report.lost_workers} workers lost" if report.retried
                     or report.lost_workers else "") + ")", highlight=False)
    halls_cmd(round_name=round_name, lang=lang, db=db)
    if json_out is not None:
        _write_json(report.to_dict(), json_out)
    if not any(h.audit_id is not None for h in report.halls):
        raise _fail("no hall could be audited")


@app.command("eval")
def eval_cmd(
    folder: Annotated[Path, typer.Argument(help="a synthetic data set: truth.json, data.yaml, images/, labels/")],
    json_out: Annotated[Path | None, typer.Option("--json", help="write the metrics as JSON to this file")] = None,
    lang: LangOption = Lang.zh,
    manual_path: ManualOption = DEFAULT_MANUAL,
    detector: DetectorOption = None,
) -> None:
    """Measure the audit against a data set with known verdicts (nothing is stored)."""
    from auditor.evaluate import evaluate_folder, load_truth, summary

    try:
        truth = load_truth(folder)  # before the detectors load: a wrong folder should fail fast
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    manual = _load_manual(manual_path)
    auditor = _make_auditor(manual, detector)
    try:
        report = evaluate_folder(folder, truth, auditor)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    for renderable in summary(report, manual, lang.value):
        console.print(renderable, highlight=False)
    for error in report.errors:
        console.print(f"[yellow]! {error.photo}: {rejected_reason(error, lang.value)}[/yellow]", highlight=False)
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    if json_out is not None:
        _write_json(report.to_dict(), json_out)
    if not report.photos:
        raise _fail("no photo could be evaluated")


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="folder to write (created)")],
    halls: Annotated[int, typer.Option("--halls", min=1, max=500, help="number of street halls")] = 4,
    photos: Annotated[int, typer.Option("--photos", min=1, max=60, help="photos per hall (7 cover every area; "
                                                                         "more add windows)")] = 8,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same photos and truth")] = 0,
    violation_rate: Annotated[float, typer.Option("--violation-rate", min=0.0, max=1.0,
                                                  help="average chance of each possible violation")] = 0.25,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="processes rendering in parallel "
                                                                          "(the output is the same)")] = 2,
    lang: LangOption = Lang.zh,
    manual_path: ManualOption = DEFAULT_MANUAL,
) -> None:
    """Render synthetic hall photos with exact truth: an ultralytics dataset plus truth.json."""
    from rich.progress import Progress

    from auditor.synth.dataset import generate

    manual = _load_manual(manual_path)
    with Progress(transient=True) as bar:
        task = bar.add_task("synth", total=halls * photos)
        truth = generate(out, manual, halls=halls, photos=photos, seed=seed, violation_rate=violation_rate,
                         workers=workers, progress=lambda done, total: bar.update(task, completed=done))
    table = Table(show_header=True, header_style="bold")
    for column in ("hall", "violation_rate", "true_score", "true_grade", "failed_critical"):
        table.add_column(t(f"label.{column}", lang.value))
    for name, hall in truth["halls"].items():
        score = "-" if hall["true_score"] is None else f"{hall['true_score']:.1f}"
        table.add_row(name, f"{hall['violation_rate']:.2f}", score, t(f"grade.{hall['true_grade']}", lang.value),
                      ", ".join(hall["failed_critical"]) or "-")
    console.print(table)
    console.print(f"{len(truth['photos'])} photos in {out} (data.yaml, truth.json)", highlight=False)


@app.command()
def train(
    data: Annotated[Path, typer.Option("--data", help="YOLO dataset YAML (train, val, names), e.g. a Label Studio "
                                                       "or CVAT export, or an `auditor synth` folder's data.yaml")],
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=2000)] = 100,
    imgsz: Annotated[int, typer.Option("--imgsz", min=32, max=2048, help="training image size")] = 640,
    model: Annotated[str, typer.Option("--model", help="start from weights on disk (fine-tune, e.g. "
                                                         "models/hall-detector.pt) or an architecture "
                                                         "(from scratch, e.g. yolo11n.yaml)")] = "yolo11n.yaml",
    out: Annotated[Path, typer.Option("--out", help="run folder (weights/best.pt and best.onnx)")] = Path(
        "data/train/run"),
    batch: Annotated[int, typer.Option("--batch", min=1, max=512)] = 16,
    device: Annotated[str | None, typer.Option("--device", help="cpu, or a GPU index such as 0 (default: a GPU "
                                                                 "when there is one)")] = None,
) -> None:
    """Train or fine-tune the object detector; prints how to make the audit use the result."""
    from auditor.train import train as train_detector

    try:
        trained = train_detector(data, out, model=model, epochs=epochs, imgsz=imgsz, batch=batch, device=device)
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    console.print(f"{trained.epochs} epochs in {trained.seconds / 60:.1f} min; best weights from epoch "
                  f"{trained.best_epoch}: mAP50 {trained.map50:.3f}, mAP50-95 {trained.map50_95:.3f} on the "
                  f"dataset's val split", highlight=False)
    console.print(f"weights: {trained.weights}" + (f"\nonnx:    {trained.onnx}" if trained.onnx else ""),
                  highlight=False)
    console.print("To audit with it, point a detector config's `weights` at the file and map its classes to the "
                  "manual's objects (see models/README.md), then pass --detector CONFIG.", highlight=False)


@app.command("halls")
def halls_cmd(
    round_name: Annotated[str | None, typer.Option("--round", help="only this round")] = None,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
) -> None:
    """The latest score of every hall, best first."""
    summaries = _store(db).latest_per_hall(round_name)
    if not summaries:
        console.print(t("label.no_audits", lang.value))
        return
    table = Table(show_header=True, header_style="bold")
    for column in ("rank", "hall", "round", "score", "grade", "assessed", "failed_critical", "audit"):
        # Hall names are what people look for: never cut them short, let other columns wrap.
        widest = max(cell_len(s.hall) for s in summaries) if column == "hall" else None
        table.add_column(t(f"label.{column}", lang.value), min_width=widest, no_wrap=column == "hall")
    for rank, s in enumerate(summaries, start=1):
        table.add_row(str(rank), s.hall, s.round, "-" if s.score is None else f"{s.score:.1f}",
                      t("grade." + s.grade, lang.value), f"{s.coverage:.0%}", ", ".join(s.failed_critical) or "-",
                      str(s.audit_id))
    console.print(table)


@app.command()
def show(
    audit_id: Annotated[int, typer.Argument(help="the audit's id (see `auditor halls`)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the audit as JSON")] = False,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
) -> None:
    """Show one stored audit, explained with the manual it was audited against."""
    try:
        stored = _store(db).load(audit_id)
        manual = stored.manual()
    except AuditorError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(audit_to_dict(stored.result, manual, stored.audit_id, lang.value), ensure_ascii=False,
                         indent=2))
    else:
        _print_audit(stored.result, manual, stored.audit_id, lang.value)


class ReportFormat(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


def _write_report(data: bytes, target: Path) -> None:
    """Never half a report under its name; a folder that cannot be written is named."""
    try:
        write_atomically(target, data)
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None


@app.command()
def report(
    audit_id: Annotated[int | None, typer.Argument(help="the audit's id (see `auditor halls`); or --hall with "
                                                        "--round")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="the file to write (an existing folder: a "
                                                                 "default name in it)")] = None,
    fmt: Annotated[ReportFormat | None, typer.Option("--format", "-f", help="pdf, xlsx, csv or json (default: "
                                                                           "the suffix of --out)")] = None,
    hall: Annotated[str | None, typer.Option("--hall", help="the hall whose latest audit of --round to "
                                                             "report")] = None,
    round_name: Annotated[str | None, typer.Option("--round", help="the audit round, e.g. 2026-Q4")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="the comparison of all halls of --round (pdf or "
                                                            "xlsx)")] = False,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
    samples_store: Annotated[bool, typer.Option("--samples", help="read the sample streets' store (what "
                                                                  "`make run` audits)")] = False,
    show_faces: Annotated[bool, typer.Option("--show-faces", help="an inspector's copy: leave citizens' faces "
                                                                  "sharp in the PDF's evidence pictures (blurred "
                                                                  "by default)")] = False,
) -> None:
    """Export one audit (PDF, Excel, CSV, JSON) or a round's comparison of the halls (PDF, Excel) to a file.

    Citizens' faces in the PDF's evidence pictures are blurred unless --show-faces is given (docs/reports.md)."""
    from auditor.reports.export import (
        AUDIT_FORMATS,
        COMPARISON_FORMATS,
        export_audit,
        export_comparison,
        export_file_name,
    )

    if out is None:
        raise _fail("say where to write the report: -o FILE (or -o FOLDER for a default name)", code=2)
    if samples_store and db is not None:
        raise _fail("--samples and --db both name a store: give one", code=2)
    hall = _required_text(hall, "--hall") if hall is not None else None
    round_name = _required_text(round_name, "--round") if round_name is not None else None
    if compare:
        if audit_id is not None or hall is not None:
            raise _fail("--compare ranks every hall of a round: give --round only, not an audit id or --hall",
                        code=2)
        if round_name is None:
            raise _fail("--compare needs --round (the round whose halls to compare)", code=2)
    elif audit_id is not None and (hall is not None or round_name is not None):
        raise _fail("give an AUDIT_ID, or --hall with --round, not both", code=2)
    elif audit_id is None:
        if hall is None and round_name is None:
            raise _fail("say which audit: AUDIT_ID, or --hall NAME --round R (or --round R --compare for the "
                        "comparison of a round)", code=2)
        if round_name is None:
            raise _fail("--hall needs --round (the hall's latest audit of that round is reported)", code=2)
        if hall is None:
            raise _fail("--round alone names no audit: add --hall NAME, or --compare for the round's comparison",
                        code=2)
    formats = COMPARISON_FORMATS if compare else AUDIT_FORMATS
    if fmt is None:
        suffix = "" if out.is_dir() else out.suffix.lower().lstrip(".")
        if suffix not in formats:
            raise _fail(f"say the format with --format ({', '.join(formats)}); {out} has no suffix telling it",
                        code=2)
        chosen = suffix
    else:
        chosen = fmt.value
    if chosen not in formats:
        raise _fail(f"a comparison is exported as {' or '.join(formats)}, not {chosen}", code=2)

    store = _store(SAMPLES_DB if samples_store else db)
    try:
        if compare:
            assert round_name is not None
            data = export_comparison(store, round_name, chosen, lang.value)
            name = export_file_name(chosen, round_name)
        else:
            if audit_id is None:
                assert hall is not None and round_name is not None
                audit_id = store.latest_audit_id(hall, round_name)
            data = export_audit(store, audit_id, chosen, lang.value, show_faces=show_faces)
            name = None
            if out.is_dir():
                stored = store.load(audit_id)
                name = export_file_name(chosen, stored.result.round, stored.result.hall, audit_id)
    except AuditorError as exc:
        message = str(exc)
        if samples_store and not store.rounds():
            message += " — the samples store is empty: run `auditor samples` (or `make run`) first"
        raise _fail(message) from None
    target = out / name if out.is_dir() and name else out
    _write_report(data, target)
    console.print(t("label.report_written", lang.value, path=str(target)) + f" ({len(data):,} bytes)",
                  highlight=False)


@manual_app.command("check")
def manual_check(file: Annotated[Path, typer.Argument(help="the manual to validate")] = DEFAULT_MANUAL) -> None:
    """Validate a manual: print every problem (file, rule, field) or confirm it."""
    manual = _load_manual(file)
    per_category = ", ".join(f"{c.id} {sum(1 for r in manual.rules if r.category == c.id)}"
                             for c in manual.categories)
    console.print(f"{file}: OK — version {manual.version}, {len(manual.rules)} rules ({per_category}), "
                  f"sha256 {manual.sha256[:12]}", highlight=False)


db_app = typer.Typer(help="Work with the audit store.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the store's schema to this release's newest revision (the store also does it when it
    opens); a store written by a newer release is refused and left as it is."""
    store = _store(db)
    state = store.schema
    if not state.changed:
        console.print(f"{store.url}: schema at revision {state.revision}, already the newest", highlight=False)
        return
    before = "from before migrations" if state.legacy else (state.before or "an empty database")
    console.print(f"{store.url}: schema upgraded from {before} to revision {state.revision}", highlight=False)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
