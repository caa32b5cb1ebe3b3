"""Views of stored audits for people and programs: JSON now; PDF, Excel and CSV in the reports issue."""

from auditor.reports.audit_json import audit_to_dict
from auditor.reports.facts_json import facts_to_dict

__all__ = ["audit_to_dict", "facts_to_dict"]
