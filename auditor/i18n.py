"""The one translation table (简体中文 / English) for every text the auditor shows.

Rule titles and failure messages live in the manual (bilingual there); everything else is here. Findings
store a detail key and its parameters, and are rendered in the reader's language when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.types import Finding

if TYPE_CHECKING:
    from auditor.manual import Manual

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

TEXTS: dict[str, dict[str, str]] = {
    # verdicts and grades
    "verdict.pass": {"zh": "合格", "en": "pass"},
    "verdict.fail": {"zh": "不合格", "en": "fail"},
    "verdict.not_assessable": {"zh": "无法判定", "en": "not assessable"},
    "grade.excellent": {"zh": "优秀", "en": "excellent"},
    "grade.good": {"zh": "良好", "en": "good"},
    "grade.pass": {"zh": "合格", "en": "pass"},
    "grade.fail": {"zh": "不合格", "en": "fail"},
    "grade.not_assessable": {"zh": "无法评分", "en": "not assessable"},
    # functional areas
    "area.entrance": {"zh": "入口", "en": "entrance"},
    "area.guidance_desk": {"zh": "导服台", "en": "guidance desk"},
    "area.waiting_area": {"zh": "等候区", "en": "waiting area"},
    "area.window_counter": {"zh": "综合受理窗口", "en": "window counter"},
    "area.back_office": {"zh": "窗口后台办公区", "en": "back office"},
    "area.self_service": {"zh": "自助服务区", "en": "self-service area"},
    "area.convenience": {"zh": "便民服务区", "en": "convenience corner"},
    # roles, zones, colours
    "role.staff": {"zh": "工作人员", "en": "staff"},
    "role.volunteer": {"zh": "志愿者", "en": "volunteer"},
    "role.visitor": {"zh": "办事群众", "en": "visitor"},
    "role.unknown": {"zh": "身份不明人员", "en": "person of unknown role"},
    "zone.counter_top": {"zh": "窗口台面", "en": "counter top"},
    "zone.desk_top": {"zh": "办公桌面", "en": "desk top"},
    "zone.anywhere": {"zh": "画面内", "en": "the photo"},
    "colour.black": {"zh": "黑色", "en": "black"},
    "colour.white": {"zh": "白色", "en": "white"},
    "colour.grey": {"zh": "灰色", "en": "grey"},
    "colour.red": {"zh": "红色", "en": "red"},
    "colour.orange": {"zh": "橙色", "en": "orange"},
    "colour.yellow": {"zh": "黄色", "en": "yellow"},
    "colour.green": {"zh": "绿色", "en": "green"},
    "colour.blue": {"zh": "蓝色", "en": "blue"},
    "colour.dark_blue": {"zh": "藏青色", "en": "dark blue"},
    "colour.brown": {"zh": "棕色", "en": "brown"},
    # labels of the CLI, the app and the evaluation report
    "label.app_title": {"zh": "街道政务服务中心标准化检查", "en": "Street service hall standardization audit"},
    "label.rank": {"zh": "排名", "en": "rank"},
    "label.hall": {"zh": "街道", "en": "hall"},
    "label.round": {"zh": "轮次", "en": "round"},
    "label.score": {"zh": "得分", "en": "score"},
    "label.grade": {"zh": "等级", "en": "grade"},
    "label.category": {"zh": "类别", "en": "category"},
    "label.assessed": {"zh": "已判定", "en": "assessed"},
    "label.audit": {"zh": "检查编号", "en": "audit"},
    "label.coverage": {"zh": "已判定规则权重", "en": "rule weight assessed"},
    "label.failed_critical": {"zh": "关键项不合格", "en": "failed critical rules"},
    "label.unassessed_critical": {"zh": "关键项无法判定（等级仅供参考）",
                                  "en": "critical rules not assessed (grade provisional)"},
    "label.whole_hall": {"zh": "全馆", "en": "whole hall"},
    "label.uncovered_areas": {"zh": "没有照片的区域", "en": "areas without photos"},
    "label.no_audits": {"zh": "还没有检查记录", "en": "no audits yet"},
    "label.no_audits_hint": {"zh": "还没有检查记录。运行 `make run` 检查示例街道。",
                             "en": "No audits yet. Run `make run` to audit the sample streets."},
    "label.sample_data": {"zh": "示例街道（演示数据，尚无正式检查记录）",
                          "en": "Sample streets (demo data; no real audit yet)"},
    "label.violation_rate": {"zh": "违规率", "en": "violation rate"},
    "label.true_score": {"zh": "真实得分", "en": "true score"},
    "label.true_grade": {"zh": "真实等级", "en": "true grade"},
    "label.accuracy": {"zh": "判定准确率", "en": "verdict accuracy"},
    "label.accuracy_col": {"zh": "准确率", "en": "accuracy"},
    "label.photos": {"zh": "照片", "en": "photos"},
    "label.pairs": {"zh": "对比项", "en": "pairs"},
    "label.truth": {"zh": "真值 \\ 预测", "en": "truth \\ predicted"},
    # severities, rectification statuses
    "severity.critical": {"zh": "关键", "en": "critical"},
    "severity.major": {"zh": "重要", "en": "major"},
    "severity.minor": {"zh": "一般", "en": "minor"},
    "status.open": {"zh": "待整改", "en": "open"},
    "status.still_failing": {"zh": "复查仍不合格", "en": "still failing at re-check"},
    "status.rectified": {"zh": "复查已合格", "en": "rectified (passed at re-check)"},
    "spread.systemic": {"zh": "普遍问题", "en": "systemic"},
    "spread.local": {"zh": "个别问题", "en": "local"},
    "spread.none": {"zh": "无问题", "en": "no failure"},
    # labels of the reports and the app's screens
    "label.report_title": {"zh": "政务服务大厅标准化检查报告", "en": "Service hall standardization audit report"},
    "label.comparison_title": {"zh": "街道政务服务大厅标准化检查对比", "en": "Comparison of the street halls"},
    "label.date": {"zh": "检查日期", "en": "date"},
    "label.inspector": {"zh": "检查人", "en": "inspector"},
    "label.manual_version": {"zh": "手册版本", "en": "manual version"},
    "label.category_scores": {"zh": "分类得分", "en": "category scores"},
    "label.findings": {"zh": "检查结果", "en": "findings"},
    "label.rectification": {"zh": "整改清单", "en": "rectification list"},
    "label.summary": {"zh": "概况", "en": "summary"},
    "label.comparison": {"zh": "对比", "en": "comparison"},
    "label.number": {"zh": "序号", "en": "no."},
    "label.rule": {"zh": "规则", "en": "rule"},
    "label.rule_id": {"zh": "规则编号", "en": "rule id"},
    "label.title": {"zh": "规则名称", "en": "title"},
    "label.clause": {"zh": "依据条款", "en": "clause"},
    "label.severity": {"zh": "严重程度", "en": "severity"},
    "label.weight": {"zh": "权重", "en": "weight"},
    "label.area": {"zh": "功能区", "en": "area"},
    "label.photo": {"zh": "照片", "en": "photo"},
    "label.problem": {"zh": "存在问题", "en": "problem"},
    "label.responsible": {"zh": "责任人", "en": "responsible"},
    "label.deadline": {"zh": "整改期限", "en": "deadline"},
    "label.status": {"zh": "状态", "en": "status"},
    "label.machine_verdict": {"zh": "系统判定", "en": "machine verdict"},
    "label.override": {"zh": "检查员复核", "en": "inspector's verdict"},
    "label.final_verdict": {"zh": "最终判定", "en": "final verdict"},
    "label.override_by": {"zh": "复核人", "en": "overridden by"},
    "label.override_at": {"zh": "复核时间", "en": "overridden at"},
    "label.comment": {"zh": "复核意见", "en": "comment"},
    "label.message": {"zh": "说明", "en": "message"},
    "label.evidence": {"zh": "判定依据", "en": "evidence"},
    "label.line": {"zh": "标线", "en": "line"},
    "label.change": {"zh": "较上轮", "en": "change"},
    "label.previous_round": {"zh": "上一轮", "en": "previous round"},
    "label.spread": {"zh": "问题范围", "en": "spread"},
    "label.failed_in": {"zh": "不合格街道数", "en": "halls failing"},
    "label.no_failed_rules": {"zh": "本次检查无不合格项。", "en": "No rule failed in this audit."},
    "label.rejected_photos": {"zh": "未能检查的照片", "en": "photos that could not be audited"},
    # app: navigation and shared (views/common.py, app.py)
    "nav.audit": {"zh": "检查", "en": "Audit"},
    "nav.hall": {"zh": "街道记分卡", "en": "Hall"},
    "nav.compare": {"zh": "街道对比", "en": "Compare"},
    "nav.manual": {"zh": "标准手册", "en": "Manual"},
    "nav.exports": {"zh": "导出报告", "en": "Exports"},
    "label.data_source": {"zh": "数据", "en": "Data"},
    "label.data_real": {"zh": "正式检查", "en": "real audits"},
    "label.data_samples": {"zh": "示例街道（演示）", "en": "sample streets (demo)"},
    "label.auditing_samples": {"zh": "首次启动：正在检查示例街道……", "en": "First start: auditing the sample streets…"},
    # app: audit screen (views/audit.py)
    # app: hall, compare, manual and exports screens
    # reports (auditor/reports/pdf.py, xlsx.py, flat.py, export.py, the `report` command)
    # details of findings (parameters in braces)
    "detail.not_detectable": {"zh": "当前检测器无法识别：{objects}", "en": "the detector cannot recognise: {objects}"},
    "detail.zone_not_found": {"zh": "照片中未找到{zone}，无法判定", "en": "no {zone} found in the photo"},
    "detail.objects_found": {"zh": "已发现：{objects}", "en": "found: {objects}"},
    "detail.objects_missing": {"zh": "未发现：{objects}（至少{min_count}个）",
                               "en": "missing: {objects} (at least {min_count})"},
    "detail.forbidden_found": {"zh": "发现不应出现的物品：{objects}", "en": "items that must not be there: {objects}"},
    "detail.none_of": {"zh": "未发现：{objects}", "en": "none of: {objects}"},
    "detail.count_in_range": {"zh": "{object}数量 {count}（要求 {min}–{max}）",
                              "en": "{object}: {count} (required {min}-{max})"},
    "detail.count_out_of_range": {"zh": "{object}数量 {count}，不在要求范围 {min}–{max} 内",
                                  "en": "{object}: {count}, outside the required {min}-{max}"},
    "detail.no_forbidden_detectable": {"zh": "检测器无法识别清单以外的物品，无法判定",
                                       "en": "the detector knows no item outside the allowed list"},
    "detail.not_allowed_found": {"zh": "台面有清单以外的物品：{objects}",
                                 "en": "items not on the allowed list: {objects}"},
    "detail.only_allowed": {"zh": "未发现清单以外的物品（已检查：{objects}）",
                            "en": "no item outside the allowed list (looked for: {objects})"},
    "detail.no_text_reader": {"zh": "未进行文字识别", "en": "no text reader ran on this photo"},
    "detail.holder_not_found": {"zh": "照片中未找到{objects}，无法核对文字", "en": "no {objects} found to read"},
    "detail.text_found": {"zh": "识别到文字：{expected}", "en": "text found: {expected}"},
    "detail.text_missing": {"zh": "未识别到应有文字：{expected}（识别结果：{read}）",
                            "en": "expected text not found: {expected} (read: {read})"},
    "detail.no_line_analyzer": {"zh": "未进行地面标线分析", "en": "no floor-line analysis ran on this photo"},
    "detail.line_found": {"zh": "发现{colour}标线 {count} 条", "en": "{count} {colour} line(s) found"},
    "detail.line_missing": {"zh": "未发现符合要求（方向、长度）的{colour}标线（发现的标线颜色：{seen}）",
                            "en": "no {colour} line of the required orientation and length "
                                  "(line colours seen: {seen})"},
    "detail.no_line_seen": {"zh": "地面未发现{colour}标线", "en": "no {colour} line on the floor"},
    "detail.no_line_to_measure": {"zh": "未发现{colour}标线，无法测量距离", "en": "no {colour} line to measure"},
    "detail.distance_unmeasurable": {"zh": "照片缺少比例参照，无法测量{colour}标线到台面的距离",
                                     "en": "the photo gives no scale to measure the {colour} line's distance"},
    "detail.distance_ok": {"zh": "距台面 {distance} 米（要求 {target}±{tolerance} 米）",
                           "en": "{distance} m from the counter (required {target}±{tolerance} m)"},
    "detail.distance_off": {"zh": "距台面 {distance} 米，超出要求 {target}±{tolerance} 米",
                            "en": "{distance} m from the counter, outside {target}±{tolerance} m"},
    "detail.no_person_analyzer": {"zh": "未进行人员识别", "en": "no person analysis ran on this photo"},
    "detail.no_person_of_role": {"zh": "照片中未见可判定的{role}", "en": "no {role} visible clearly enough"},
    "detail.wrong_colour": {"zh": "{role}着装颜色为{seen}，应为{allowed}",
                            "en": "{role} wear {seen}; allowed: {allowed}"},
    "detail.colour_ok": {"zh": "{count}名{role}着装颜色符合（{allowed}）",
                         "en": "{count} {role} dressed in the allowed colours ({allowed})"},
    "detail.badge_missing": {"zh": "{count}名{role}未佩戴工作牌", "en": "{count} {role} without a work badge"},
    "detail.badge_ok": {"zh": "{count}名{role}均佩戴工作牌", "en": "all {count} {role} wear a work badge"},
    "detail.no_photo_of_areas": {"zh": "没有相关区域的照片", "en": "no photo of the rule's areas"},
    "detail.facility_found": {"zh": "已配置：{objects}（{count}）", "en": "present: {objects} ({count})"},
    "detail.facility_missing": {"zh": "在 {photos} 张相关照片中均未发现：{objects}",
                                "en": "none of {objects} in the {photos} photo(s) of its areas"},
    "detail.check_error": {"zh": "检查程序出错：{error}", "en": "the check failed: {error}"},
}

# Parameters whose values are vocabulary ids, translated before they are put into a detail text.
_VOCABULARY_PARAMS = {"role": "role", "zone": "zone", "colour": "colour", "seen": "colour", "allowed": "colour"}
_OBJECT_PARAMS = {"objects", "object"}


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text for ``key`` in ``lang``; an unknown key shows as itself so a gap is visible, not fatal."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def _translate_list(value: str, lookup: dict[str, str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(lookup.get(part.strip(), part.strip()) for part in value.split(","))


def render_detail(finding: Finding, manual: Manual | None, lang: str = DEFAULT_LANG) -> str:
    params: dict[str, object] = dict(finding.detail_params)
    for name, value in finding.detail_params.items():
        if not isinstance(value, str):
            continue
        if name in _OBJECT_PARAMS and manual is not None:
            names = {oid: text.get(lang) for oid, text in manual.object_names.items()}
            params[name] = _translate_list(value, names, lang)
        elif name in _VOCABULARY_PARAMS:
            prefix = _VOCABULARY_PARAMS[name]
            params[name] = _translate_list(value, {k.split(".", 1)[1]: v.get(lang, v["zh"])
                                                   for k, v in TEXTS.items() if k.startswith(prefix + ".")}, lang)
    return t(finding.detail_key, lang, **params)


def render_message(finding: Finding, manual: Manual | None, lang: str = DEFAULT_LANG) -> str:
    """What a reader sees for a finding: the manual's failure message when it failed, and the detail."""
    detail = render_detail(finding, manual, lang)
    rule = manual.rules_by_id.get(finding.rule_id) if manual is not None else None
    if rule is not None and finding.verdict.value == "fail":
        return f"{rule.message.get(lang)} ({detail})" if lang == "en" else f"{rule.message.get(lang)}（{detail}）"
    return detail
