"""Hall standardization compliance auditor: photos of street service halls checked against the manual."""

from auditor.errors import AuditorError, DetectorConfigError, ManualError, PhotoReadError, StoreError
from auditor.manual import Manual, Rule, load_manual, parse_manual
from auditor.types import Area, Finding, PhotoFacts, Score, Severity, Verdict

__all__ = [
    "Area", "AuditorError", "DetectorConfigError", "Finding", "Manual", "ManualError", "PhotoFacts",
    "PhotoReadError", "Rule", "Score", "Severity", "StoreError", "Verdict", "load_manual", "parse_manual",
]
