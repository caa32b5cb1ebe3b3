"""Check kinds. Importing this package registers every kind in ``CHECK_KINDS``."""

from auditor.checks import dress, hall, lines, objects, signs  # noqa: F401  (registers the kinds)
from auditor.checks.registry import CHECK_KINDS, Analyzer, CheckKind, Outcome, Params, Scope

__all__ = ["CHECK_KINDS", "Analyzer", "CheckKind", "Outcome", "Params", "Scope"]
