"""Views of stored audits for people and programs: the report model every export and screen reads, and its
renderings (JSON of an audit or of a photo's facts; PDF, Excel, CSV in the modules beside this one)."""

from auditor.reports.audit_json import audit_to_dict
from auditor.reports.facts_json import facts_to_dict
from auditor.reports.model import AuditReport, ComparisonReport, build_audit_report, build_comparison

__all__ = ["AuditReport", "ComparisonReport", "audit_to_dict", "build_audit_report", "build_comparison",
           "facts_to_dict"]
