"""The one translation table (简体中文 / English) for every text the auditor shows.

Rule titles and failure messages live in the manual (bilingual there); everything else is here. Findings
store a detail key and its parameters, and are rendered in the reader's language when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.types import Finding, RejectedPhoto

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
    "label.wrong": {"zh": "判错", "en": "wrong"},
    "label.wrong_as": {"zh": "错判为（真值→预测）", "en": "how (truth -> predicted)"},
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
    "label.data_real": {"zh": "正式检查", "en": "real audits"},
    "label.data_samples": {"zh": "示例街道（演示）", "en": "sample streets (demo)"},
    "label.auditing_samples": {"zh": "首次启动：正在检查示例街道……", "en": "First start: auditing the sample streets…"},
    # app: who may see faces (views/common.py; auditor/faces.py blurs them for everyone else)
    "faces.inspector_toggle": {"zh": "我是检查员（显示人脸）", "en": "I am the inspector (show faces)"},
    "faces.pin": {"zh": "检查员口令", "en": "inspector PIN"},
    "faces.pin_wrong": {"zh": "口令不对：照片中的人脸仍打码。", "en": "Wrong PIN: faces stay blurred."},
    "faces.shown": {"zh": "人脸未打码：仅供检查员本人查看，请勿外传。",
                    "en": "Faces shown: for the inspector's eyes only; do not pass them on."},
    "faces.blurred": {"zh": "照片中的群众人脸已打码。", "en": "Citizens' faces in the pictures are blurred."},
    "faces.model_missing": {"zh": "人脸检测模型缺失，无法打码，照片不予显示。",
                            "en": "The face model is missing: faces cannot be blurred, so the photo is not shown."},
    # app: audit screen (views/audit.py)
    "audit.title": {"zh": "检查", "en": "Audit"},
    "audit.intro": {"zh": "上传一条街道政务服务大厅的照片，按功能区标注后检查；检查结果可逐项复核。",
                    "en": "Upload the photos of one street's service hall, tag each with its area, and audit it; "
                          "every verdict can then be reviewed."},
    "audit.mode": {"zh": "操作", "en": "Mode"},
    "audit.mode_new": {"zh": "新建检查", "en": "New audit"},
    "audit.mode_review": {"zh": "查看已有检查", "en": "Review an audit"},
    "audit.step_hall": {"zh": "1 · 街道与轮次", "en": "1 · Hall and round"},
    "audit.step_upload": {"zh": "2 · 上传照片", "en": "2 · Upload photos"},
    "audit.step_tag": {"zh": "3 · 标注功能区", "en": "3 · Tag functional areas"},
    "audit.step_run": {"zh": "4 · 开始检查", "en": "4 · Run the audit"},
    "audit.hall_hint": {"zh": "选择街道，或输入新街道名称", "en": "Choose a hall, or type a new name"},
    "audit.hall_help": {"zh": "已有街道可直接选择；输入新名称即新增街道。",
                        "en": "Pick a hall audited before, or type a new name to add one."},
    "audit.round_help": {"zh": "默认本季度；可选已有轮次或输入新轮次。",
                         "en": "This quarter by default; pick an earlier round or type a new one."},
    "audit.inspector_hint": {"zh": "检查人姓名", "en": "Your name"},
    "audit.inspector_help": {"zh": "记录在检查和复核中（复核必填）。", "en": "Recorded with the audit and with "
                                                                       "every override (required to override)."},
    "audit.upload_kind": {"zh": "上传方式", "en": "Upload"},
    "audit.upload_files": {"zh": "选择照片", "en": "Photos"},
    "audit.upload_folder": {"zh": "选择文件夹", "en": "A folder"},
    "audit.upload_files_label": {"zh": "照片（可多选；JPEG、PNG、WebP、HEIC）",
                                 "en": "Photos (several at once; JPEG, PNG, WebP, HEIC)"},
    "audit.upload_folder_label": {"zh": "照片文件夹（子文件夹名如“窗口”“等候区”可自动识别功能区）",
                                  "en": "A folder of photos (sub-folders named after areas, e.g. window_counter, "
                                        "tag their photos)"},
    "audit.upload_limits": {"zh": "每张不超过 {file_mb} MB；每批最多 {files} 张、共 {batch_mb} MB。",
                            "en": "Up to {file_mb} MB per photo; up to {files} photos and {batch_mb} MB per batch."},
    "audit.checking": {"zh": "正在读取照片 {done}/{total}：{name}", "en": "Reading photos {done}/{total}: {name}"},
    "audit.received": {"zh": "收到 {received} 个文件：**{photos} 张照片可检查**（{size} MB），重复 {duplicates} 个，"
                             "未通过 {rejected} 个。",
                       "en": "{received} file(s) received: **{photos} photo(s) to audit** ({size} MB), "
                             "{duplicates} duplicate(s), {rejected} not usable."},
    "audit.rejected_title": {"zh": "以下 {n} 个文件不会参与检查：", "en": "{n} file(s) will not be audited:"},
    "audit.duplicates_title": {"zh": "以下 {n} 个文件与前面的照片相同，只计一次：",
                               "en": "{n} file(s) repeat an earlier photo and count once:"},
    "audit.tag_hint": {"zh": "已标注 {tagged}/{total} 张。功能区已按文件名或文件夹名预填，请核对。",
                       "en": "{tagged} of {total} tagged. Areas suggested from file and folder names are filled "
                             "in: please check them."},
    "audit.bulk_area": {"zh": "批量设置功能区", "en": "Area for several photos"},
    "audit.area_placeholder": {"zh": "选择功能区", "en": "Choose the area"},
    "audit.apply_to_untagged": {"zh": "应用到未标注的 {n} 张", "en": "Apply to the {n} untagged"},
    "audit.read_signs": {"zh": "识别标识牌推荐功能区（{n} 张）", "en": "Suggest from signs ({n} photos)"},
    "audit.read_signs_help": {"zh": "对未标注照片做文字识别，标识牌只指向一个功能区时自动标注；每张需数秒。",
                              "en": "Reads the text on the untagged photos and tags those whose signs name one "
                                    "area; a few seconds per photo."},
    "audit.reading_signs": {"zh": "正在识别标识牌 {done}/{total}：{name}",
                            "en": "Reading signs {done}/{total}: {name}"},
    "audit.signs_result": {"zh": "根据标识牌标注了 {found}/{total} 张照片，请核对。",
                           "en": "Tagged {found} of {total} photos from their signs; please check them."},
    "audit.no_text_reader": {"zh": "没有可用的文字识别，无法根据标识牌推荐。",
                             "en": "No text reader is available to read the signs."},
    "audit.suggested_from_name": {"zh": "按名称推荐", "en": "suggested from the name"},
    "audit.suggested_from_signs": {"zh": "按标识牌推荐", "en": "suggested from the signs"},
    "audit.untagged": {"zh": "{n} 张照片未标注功能区，标注前不会参与检查：{names}",
                       "en": "{n} photo(s) have no area and will not be audited until tagged: {names}"},
    "audit.need_hall": {"zh": "请选择或输入街道", "en": "choose or type the hall"},
    "audit.need_round": {"zh": "请选择轮次", "en": "choose the round"},
    "audit.need_tags": {"zh": "请至少标注一张照片的功能区", "en": "tag at least one photo"},
    "audit.goes_to_real": {"zh": "新检查保存在正式检查数据中（不是示例街道）。",
                           "en": "New audits are saved with the real audits, not the sample streets."},
    "audit.run": {"zh": "检查 {n} 张照片", "en": "Audit {n} photo(s)"},
    "audit.loading_models": {"zh": "正在加载识别模型……", "en": "Loading the models…"},
    "audit.auditing": {"zh": "正在检查 {done}/{total}：{name}", "en": "Auditing {done}/{total}: {name}"},
    "audit.already_audited": {"zh": "这批照片已检查过（检查编号 #{id}），显示已有结果，未重复保存。",
                              "en": "This batch was audited already (audit #{id}): showing it, nothing stored twice."},
    "audit.audit_failed": {"zh": "检查未完成，未保存任何内容：{detail}",
                           "en": "The audit failed, nothing was saved: {detail}"},
    "audit.save_failed": {"zh": "检查结果未能写入检查数据库，未保存任何内容，请稍后重新检查。",
                          "en": "The audit could not be saved, nothing was written: {detail}"},
    "audit.nothing_audited": {"zh": "没有可检查的照片，未保存检查：",
                              "en": "No photo could be audited; nothing saved:"},
    "audit.saved": {"zh": "已保存检查 #{id}：{photos} 张照片，得分 {score}（{grade}）。照片已存档。",
                    "en": "Audit #{id} saved: {photos} photo(s), score {score} ({grade}). The photos are kept."},
    "audit.interrupted": {"zh": "上一次检查（{hall} · {round}，{n} 张照片）在完成前被中断（检查过程中页面有操作），"
                                "未保存任何内容。请再次点击“检查”按钮重新检查。",
                          "en": "The last audit ({hall} · {round}, {n} photo(s)) was interrupted before it finished "
                                "(something on the page was used while it ran); nothing was saved. Press the audit "
                                "button again to run it."},
    "audit.load_failed": {"zh": "无法读取检查 #{id}，该检查可能已不存在。", "en": "Audit #{id} cannot be read; it may "
                                                                             "no longer exist."},
    "audit.previous_audit": {"zh": "本批照片或标注已改变；上一次检查 #{id} 可在“查看已有检查”中查看。",
                             "en": "The photos or tags changed since audit #{id}; it is under 'Review an audit'."},
    "audit.pick_audit": {"zh": "检查记录", "en": "Audit"},
    "audit.failures": {"zh": "不合格项", "en": "failures"},
    "audit.filter": {"zh": "按判定筛选（不合格在前）", "en": "Filter by verdict (failures first)"},
    "audit.nothing_to_show": {"zh": "没有符合筛选的检查结果。", "en": "No finding matches the filter."},
    "audit.whole_hall_hint": {"zh": "按全部照片判定的规则", "en": "rules judged over all photos"},
    "audit.no_findings": {"zh": "没有符合筛选的检查结果。", "en": "No finding matches the filter."},
    "audit.photo_missing": {"zh": "照片文件不在存档中", "en": "The photo file is not in the store"},
    "audit.overridden": {"zh": "系统判定：{machine} → 检查员复核：{verdict}（{by}，{at}）“{comment}”",
                         "en": "Machine: {machine} → inspector: {verdict} ({by}, {at}) “{comment}”"},
    "audit.review_button": {"zh": "复核", "en": "Review"},
    "audit.your_verdict": {"zh": "复核判定", "en": "Your verdict"},
    "audit.comment_hint": {"zh": "复核意见（必填），如：杯子为检查人员临时放置",
                           "en": "Why (required), e.g. the cup belonged to the inspection team"},
    "audit.override_note": {"zh": "系统判定会保留；得分按复核结果重新计算。",
                            "en": "The machine verdict is kept; the score is recomputed."},
    "audit.save_override": {"zh": "保存复核", "en": "Save"},
    "audit.name_for_overrides": {"zh": "填写检查人姓名后可复核判定。", "en": "Enter your name to override verdicts."},
    # uploads and overrides (auditor/uploads.py, auditor/review.py)
    "upload.too_big": {"zh": "文件 {size} MB，超过每张 {limit} MB 的上限",
                       "en": "the file is {size} MB, over the limit of {limit} MB per photo"},
    "upload.over_count": {"zh": "超过每批 {limit} 张的上限，请分批检查",
                          "en": "over the limit of {limit} photos per batch; audit it in another batch"},
    "upload.over_bytes": {"zh": "超过每批共 {limit} MB 的上限，请分批检查",
                          "en": "over the limit of {limit} MB per batch; audit it in another batch"},
    "upload.duplicate": {"zh": "{name} 与 {first} 是同一张照片，只计一次",
                         "en": "{name} is the same photo as {first}; counted once"},
    "upload.renamed": {"zh": "另有同名照片，{name} 记为 {new}", "en": "another photo has the same name: {name} is "
                                                                      "listed as {new}"},
    "review.need_name": {"zh": "请先填写检查人姓名，复核需要记录复核人。",
                         "en": "Enter your name first: an override records who made it."},
    "review.need_comment": {"zh": "请填写复核意见。", "en": "Write a comment saying why."},
    "review.conflict": {"zh": "您的复核未保存：{by} 已于 {at} 将此判定改为“{verdict}”，意见：“{comment}”。"
                              "页面已显示最新结果，如仍需修改请再次复核。",
                        "en": "Your override was not saved: {by} changed this verdict to “{verdict}” at {at}, "
                              "saying “{comment}”. The page now shows the current state; review it again if it "
                              "still needs changing."},
    "review.conflict_race": {"zh": "您的复核未保存：他人在同一时刻复核了此判定。页面已显示最新结果，请核对后再复核。",
                             "en": "Your override was not saved: someone else overrode this verdict at the same "
                                   "moment. The page now shows the current state; check it and review it again."},
    "review.failed": {"zh": "复核未保存，检查数据未作任何改动（该检查项可能已不存在，或数据库暂时无法写入），"
                            "请刷新页面后重试。",
                      "en": "The override was not saved and nothing changed: {detail}"},
    "review.saved": {"zh": "复核已保存，得分 {before} → {after}（{grade}）",
                     "en": "Override saved; score {before} → {after} ({grade})"},
    # app: hall, compare, manual and exports screens
    "app.verdict": {"zh": "判定", "en": "Verdict"},
    "app.not_in_manual": {"zh": "不在该次检查所用手册中", "en": "not in that audit's manual"},
    "app.filter_category": {"zh": "类别", "en": "Category"},
    "app.filter_area": {"zh": "功能区", "en": "Functional area"},
    "app.filter_all": {"zh": "全部", "en": "All"},
    "app.no_rules_match": {"zh": "没有符合筛选条件的规则。", "en": "No rule matches the filters."},
    "analyzer.objects": {"zh": "目标检测", "en": "object detector"},
    "analyzer.texts": {"zh": "文字识别（OCR）", "en": "OCR text"},
    "analyzer.floor_lines": {"zh": "地面标线识别", "en": "floor lines"},
    "analyzer.persons": {"zh": "人员及着装识别", "en": "persons and dress"},
    "compare.caption": {"zh": "轮次 {round} · {count} 个街道 · 手册版本 {version}",
                        "en": "Round {round} · {count} halls · manual {version}"},
    "compare.vs_previous": {"zh": "与上一轮 {round} 相比", "en": "compared with the previous round {round}"},
    "compare.no_previous": {"zh": "本轮之前没有检查轮次，暂无变化对比。",
                            "en": "No earlier round to compare with yet."},
    "compare.halls": {"zh": "参检街道", "en": "Halls audited"},
    "compare.mean_score": {"zh": "平均得分", "en": "Average score"},
    "compare.systemic_rules": {"zh": "普遍问题（规则数）", "en": "Systemic problems (rules)"},
    "compare.critical_halls": {"zh": "关键项不合格街道", "en": "Halls failing a critical rule"},
    "compare.ranking": {"zh": "得分排名", "en": "Ranking"},
    "compare.change_chart": {"zh": "较上轮得分变化", "en": "Change since the previous round"},
    "compare.categories": {"zh": "分类得分", "en": "Category scores"},
    "compare.matrix": {"zh": "街道 × 规则检查矩阵", "en": "Street × rule matrix"},
    "compare.matrix_help": {
        "zh": "规则按问题范围排序：普遍问题（在半数以上已判定街道且至少两个街道不合格）在前，个别问题其次。"
              "普遍问题宜从手册、物资配备或培训层面统一解决，个别问题由所在街道整改。",
        "en": "Rules are sorted by spread: systemic problems (failing in at least half the halls assessed on them, "
              "and in two or more) first, then local ones. Systemic problems call for the manual, supplies or "
              "training; local ones for the street concerned."},
    "compare.systemic_list": {"zh": "普遍问题清单", "en": "Systemic problems"},
    "compare.no_systemic": {"zh": "本轮没有普遍问题。", "en": "No systemic problem in this round."},
    "compare.halls_failing": {"zh": "不合格街道", "en": "Halls failing"},
    "hall.title": {"zh": "街道记分卡", "en": "Hall scorecard"},
    "hall.audit": {"zh": "检查记录", "en": "Audit"},
    "hall.audit_option": {"zh": "{round} · {date} · 编号 {id}", "en": "{round} · {date} · no. {id}"},
    "hall.caption": {"zh": "检查日期 {date} · 检查人 {inspector} · 手册版本 {version}",
                     "en": "Audited {date} · inspector {inspector} · manual {version}"},
    "hall.delta_help": {"zh": "与该街道上一次检查相比", "en": "compared with the hall's previous audit"},
    "hall.failed_rules": {"zh": "不合格规则", "en": "Failed rules"},
    "hall.failed_critical_list": {"zh": "关键项不合格（等级判为不合格）：",
                                  "en": "Failed critical rules (grade: fail):"},
    "hall.no_failed_critical": {"zh": "无关键项不合格。", "en": "No critical rule failed."},
    "hall.trend": {"zh": "历次得分趋势", "en": "Score across rounds"},
    "hall.single_audit": {"zh": "该街道只有一轮检查，暂无趋势。", "en": "Only one round audited so far: no trend yet."},
    "hall.show": {"zh": "显示", "en": "Show"},
    "hall.show_fail": {"zh": "不合格项", "en": "Failures"},
    "hall.show_not_assessable": {"zh": "无法判定项", "en": "Not assessable"},
    "hall.show_all": {"zh": "全部", "en": "All"},
    "hall.no_findings": {"zh": "没有符合条件的检查结果。", "en": "No finding to show."},
    "hall.overridden": {"zh": "已复核", "en": "overridden"},
    "hall.nothing_to_rectify": {"zh": "无需整改。", "en": "Nothing to rectify."},
    "manual.caption": {"zh": "版本 {version} · {count} 条规则 · {categories} 个类别",
                       "en": "Version {version} · {count} rules · {categories} categories"},
    "manual.search": {"zh": "搜索（编号、名称、条款、说明）", "en": "Search (id, title, clause, message)"},
    "manual.shown": {"zh": "显示 {shown} / {total} 条规则", "en": "{shown} of {total} rules shown"},
    "manual.share": {"zh": "占总分", "en": "share of the score"},
    "manual.rules": {"zh": "规则数", "en": "rules"},
    "manual.weights": {"zh": "类别权重", "en": "Category weights"},
    "exports.title": {"zh": "导出报告", "en": "Export reports"},
    "exports.audit_section": {"zh": "单个街道检查报告", "en": "Report of one audit"},
    "exports.audit_help": {"zh": "PDF 与 Excel 含概况、分类得分、检查结果和整改清单；CSV 与 JSON 为逐条检查结果。",
                           "en": "PDF and Excel hold the summary, category scores, findings and rectification "
                                 "list; CSV and JSON hold one row per finding."},
    "exports.round_section": {"zh": "轮次对比报告", "en": "Comparison of a round"},
    "exports.round_help": {"zh": "本轮所有街道的排名、分类得分及街道 × 规则矩阵。",
                           "en": "The ranking, category scores and street × rule matrix of every hall in the round."},
    "exports.build": {"zh": "生成 {fmt}", "en": "Build {fmt}"},
    "exports.download": {"zh": "下载 {fmt}", "en": "Download {fmt}"},
    "exports.building": {"zh": "正在生成 {fmt}……", "en": "Building the {fmt}…"},
    "exports.failed": {"zh": "{fmt} 生成失败：{error}", "en": "The {fmt} could not be built: {error}"},
    "exports.unavailable": {"zh": "导出功能暂不可用：{error}", "en": "Exports are not available: {error}"},
    # reports (auditor/reports/pdf.py, xlsx.py, flat.py, export.py, the `report` command)
    "pdf.page_of": {"zh": "第 {page} 页，共 {pages} 页", "en": "Page {page} of {pages}"},
    "pdf.manual": {"zh": "标准手册", "en": "manual"},
    "pdf.none": {"zh": "无", "en": "none"},
    "pdf.reason": {"zh": "原因", "en": "reason"},
    "pdf.more_photos": {"zh": "等，共 {count} 张", "en": "… {count} in all"},
    "pdf.findings_note": {"zh": "不合格及经检查员复核的检查项逐条列出并附证据照片；"
                                "其余检查项按规则、判定和说明合并列出。",
                          "en": "Failed findings and those reviewed by an inspector are listed one by one with their "
                                "evidence photo; the others are merged by rule, verdict and message."},
    "pdf.reviewed_findings": {"zh": "不合格及经复核的检查项", "en": "Failed and reviewed findings"},
    "pdf.other_findings": {"zh": "其余检查项（合格、无法判定）", "en": "Other findings (passed, not assessable)"},
    "pdf.no_findings": {"zh": "本类别无检查项。", "en": "No finding in this category."},
    "pdf.photo_missing": {"zh": "照片文件已不存在，无法附图：{photo}",
                          "en": "The photo file is no longer kept: {photo}"},
    "pdf.photo_unreadable": {"zh": "照片无法读取，无法附图：{photo}", "en": "The photo cannot be read: {photo}"},
    "pdf.passed_of_assessed": {"zh": "合格 / 已判定权重", "en": "passed / assessed weight"},
    "pdf.ranking": {"zh": "街道排名", "en": "Ranking of the halls"},
    "pdf.rule_matrix": {"zh": "街道 × 规则判定矩阵", "en": "Street × rule matrix"},
    "pdf.spread_note": {"zh": "普遍问题：两个及以上街道不合格，且不少于已判定街道的 {share}；"
                              "个别问题：其余有街道不合格的规则。",
                        "en": "Systemic: failing in two halls or more and in at least {share} of the halls assessed "
                              "on it; local: any other rule that failed somewhere."},
    "pdf.not_in_manual": {"zh": "该次检查所用手册无此规则", "en": "rule not in that audit's manual"},
    "pdf.halls": {"zh": "街道数", "en": "halls"},
    "pdf.signature_inspector": {"zh": "检查人（签字）：", "en": "Inspector (signature):"},
    "pdf.signature_hall": {"zh": "被检查单位负责人（签字）：", "en": "Head of the audited hall (signature):"},
    "pdf.sign_date": {"zh": "日期：", "en": "Date: "},
    "pdf.verdict_short.pass": {"zh": "合格", "en": "pass"},
    "pdf.verdict_short.fail": {"zh": "不合格", "en": "fail"},
    "pdf.verdict_short.not_assessable": {"zh": "无法判定", "en": "n/a"},
    "label.previous_score": {"zh": "上轮得分", "en": "previous score"},
    "label.assessed_in": {"zh": "已判定街道数", "en": "halls assessed"},
    "label.checked_in_audit": {"zh": "复查检查编号", "en": "re-checked in audit"},
    "label.verdict_counts": {"zh": "判定统计（最终判定）", "en": "verdicts (final)"},
    "label.mean_score": {"zh": "平均分", "en": "mean score"},
    "label.lowest_score": {"zh": "最低分", "en": "lowest score"},
    "label.highest_score": {"zh": "最高分", "en": "highest score"},
    "label.lowest_hall": {"zh": "最低分街道", "en": "lowest hall"},
    "label.report_written": {"zh": "报告已保存：{path}", "en": "report written to {path}"},
    # why a photo was not audited (auditor/photos.py, collect.py, pipeline.py, uploads.py)
    "reject.empty": {"zh": "文件为空（0 字节）", "en": "the file is empty (0 bytes)"},
    "reject.unsupported_format": {"zh": "不支持的图片格式 {format}（支持 JPEG、PNG、WebP、HEIC、BMP、TIFF）",
                                  "en": "unsupported image format {format} (supported: JPEG, PNG, WebP, HEIC, BMP, "
                                        "TIFF)"},
    "reject.too_many_pixels": {"zh": "图片过大：{width}x{height} = {megapixels} 百万像素，上限为 {limit} 百万像素",
                               "en": "the image is too large: {width}x{height} = {megapixels} megapixels, the limit "
                                     "is {limit} megapixels"},
    "reject.too_large": {"zh": "图片过大（超过 {limit} 百万像素）",
                         "en": "the image is too large (over {limit} megapixels)"},
    "reject.not_image": {"zh": "不是图片文件（应为 JPEG、PNG、WebP、HEIC、BMP 或 TIFF）",
                         "en": "not an image file (JPEG, PNG, WebP, HEIC, BMP or TIFF expected)"},
    "reject.damaged": {"zh": "图片已损坏或不完整", "en": "the image is damaged or truncated ({detail})"},
    "reject.unreadable": {"zh": "无法读取：{detail}", "en": "cannot be read: {detail}"},
    "reject.not_photo_file": {"zh": "不是照片文件（应为 {suffixes}），已跳过",
                              "en": "not a photo file (expected {suffixes}); skipped"},
    "reject.empty_folder": {"zh": "文件夹中没有照片", "en": "the folder holds no photo"},
    "reject.no_such_path": {"zh": "文件或文件夹不存在", "en": "no such file or folder"},
    "reject.unknown_area": {"zh": "功能区未知：请用 --area 指定，或把照片放在以功能区命名的文件夹中（{areas}）",
                            "en": "unknown functional area: give --area or put the photo in a folder named after "
                                  "its area ({areas})"},
    "reject.duplicate": {"zh": "与 {first} 是同一张照片，只检查一次", "en": "the same photo as {first}; audited once"},
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


def rejected_photo(photo: str, key: str, **params: str | int | float) -> RejectedPhoto:
    """A photo that will not be audited, with the reason as a key of this table (English text kept beside)."""
    return RejectedPhoto(photo=photo, reason=t(key, "en", **params), key=key, params=params)


def rejected_reason(rejected: RejectedPhoto, lang: str = DEFAULT_LANG) -> str:
    """Why a photo was not audited, in the reader's language (audits stored before reasons had keys: as stored)."""
    return t(rejected.key, lang, **rejected.params) if rejected.key else rejected.reason


def score_text(score: float | None) -> str:
    """A score as every screen and report shows it: one decimal, or a dash when there is none."""
    return "—" if score is None else f"{score:.1f}"


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
    """What a reader sees for a finding: the manual's failure message when its final verdict (the inspector's
    where overridden) is fail, and the detail."""
    detail = render_detail(finding, manual, lang)
    rule = manual.rules_by_id.get(finding.rule_id) if manual is not None else None
    if rule is not None and finding.final_verdict.value == "fail":
        return f"{rule.message.get(lang)} ({detail})" if lang == "en" else f"{rule.message.get(lang)}（{detail}）"
    return detail
