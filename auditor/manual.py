"""Load and validate the standardization manual (rules/standard_manual.yaml).

The manual is data: a mapping with its ``version``, ``title``, ``categories``, the ``objects`` vocabulary the
rules may name, and a flat ``rules`` list. Validation refuses unknown keys, unknown check kinds, duplicate
ids, missing fields, wrong types and names that are not declared, and every message names the file, the rule
and the field, with the valid choices where there are few. All problems are reported at once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, field_validator

from auditor.checks import CHECK_KINDS, CheckKind, Params, Scope
from auditor.checks.zones import ZONE_SURFACE, Zone
from auditor.errors import ManualError
from auditor.types import Area, Severity

DEFAULT_MANUAL = Path(__file__).resolve().parent.parent / "rules" / "standard_manual.yaml"

# Parameter fields that name objects of the manual's vocabulary, whatever the check kind.
OBJECT_FIELDS = ("objects", "object", "within", "allowed", "ignore")

M = TypeVar("M", bound=BaseModel)


# Hostile input is refused before it costs anything: the bundled manual is about 40 kB, 2,000 YAML nodes and
# 10 levels deep. A "billion laughs" manual is a few hundred bytes whose aliases (&a ... *a) expand to
# billions of nodes; counted as they are composed (an alias counts the whole subtree it repeats), it is refused
# at the first subtree over the limit, long before anything is expanded.
MAX_MANUAL_BYTES = 1_000_000
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 50


class _Refused(yaml.YAMLError):
    """The YAML is refused unread: too many nodes once its aliases are expanded, or nested too deep."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML keeps the last of two equal keys; in a manual that silently drops a rule list or a severity.

    Also bounds what a document may cost (nodes counted with their aliases expanded, depth of nesting)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._expanded: dict[int, int] = {}  # id(node) -> its node count, aliases expanded
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        alias = self.check_event(yaml.AliasEvent)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"nested deeper than {MAX_YAML_DEPTH} levels")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if alias:  # its anchor's node, counted already when it was complete
            if id(node) not in self._expanded:
                raise _Refused(f"an alias inside the node it names (near line {node.start_mark.line + 1}): "
                               f"a structure that contains itself")
        else:
            size = self._expanded.get
            if isinstance(node, yaml.SequenceNode):
                count = 1 + sum(size(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                count = 1 + sum(size(id(key), 1) + size(id(value), 1) for key, value in node.value)
            else:
                count = 1
            if count > MAX_YAML_NODES:
                raise _Refused(f"more than {MAX_YAML_NODES:,} YAML nodes once its aliases (*name) are expanded "
                               f"(near line {node.start_mark.line + 1}): a 'billion laughs' document?")
            self._expanded[id(node)] = count
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
            # PyYAML's constructors fail this way on a value that does not fit its explicit tag
            # (``!!timestamp soon``, ``!!int x``, ``!!bool maybe``): a YAML error like any other.
            raise yaml.constructor.ConstructorError(
                None, None, f"the value does not fit its tag {node.tag} ({type(exc).__name__}: {exc})",
                node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, "found a list or mapping used as a key",
                    key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _validate(model: type[M], data: Any) -> M:
    """Strict validation as JSON: "3" is not a number, true is not a count, 2026.1 is not a string.

    Going through JSON keeps enum fields (areas, severities) readable from their plain string values, which
    pydantic's strict mode refuses for Python input.
    """
    return model.model_validate_json(json.dumps(data, default=str), strict=True)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Strict):
    """A text of the manual in both working languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Category(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    weight: float = Field(gt=0, description="share of the hall score")


class ObjectName(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text


class _RuleFields(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*-[0-9]{2,4}$", description="e.g. SIG-01")
    category: str
    areas: list[Area] = Field(min_length=1)
    check: str
    weight: float = Field(gt=0)
    severity: Severity
    clause: str = Field(min_length=1, description="where in the manual or standard the rule comes from")
    title: Text
    message: Text = Field(description="what the hall head reads when the rule fails")
    judged_on: Literal["each_photo", "any_photo"] | None = Field(
        None, description="each_photo (default): every photo of the areas must pass, as for each window; "
                          "any_photo: one photo of the areas showing it is enough, as for a zone sign")


class _RuleSpec(_RuleFields):
    params: dict[str, Any] = Field(default_factory=dict)


class Rule(_RuleFields):
    params: SerializeAsAny[Params]

    @property
    def kind(self) -> CheckKind:
        return CHECK_KINDS[self.check]

    @property
    def scope(self) -> Scope:
        return self.kind.scope

    @property
    def any_photo(self) -> bool:
        return self.judged_on == "any_photo"


class Rectification(_Strict):
    """Who puts a failed rule right and by when: what the rectification list (整改清单) of a report shows."""

    deadline_days: dict[Severity, int] = Field(
        default_factory=lambda: {Severity.CRITICAL: 7, Severity.MAJOR: 15, Severity.MINOR: 30},
        description="days from the audit to the deadline, per severity")
    responsible: dict[Area, Text] = Field(default_factory=dict, description="the responsible post per area")
    hall_responsible: Text = Field(Text(zh="街道政务服务中心负责人", en="head of the street service hall"),
                                   description="for hall-level rules and areas not listed")

    @field_validator("deadline_days")
    @classmethod
    def _every_severity_positive(cls, value: dict[Severity, int]) -> dict[Severity, int]:
        missing = [s.value for s in Severity if s not in value]
        if missing:
            raise ValueError(f"a deadline is needed for every severity; missing: {', '.join(missing)}")
        if any(days < 1 for days in value.values()):
            raise ValueError("deadlines are whole days, at least 1")
        return value

    def responsible_for(self, area: Area | None) -> Text:
        return self.responsible.get(area, self.hall_responsible) if area is not None else self.hall_responsible


class _ManualSpec(_Strict):
    version: str = Field(min_length=1)
    title: Text
    categories: list[Category] = Field(min_length=1)
    objects: list[ObjectName] = Field(min_length=1)
    rules: list[dict[str, Any]] = Field(min_length=1)
    rectification: Rectification = Field(default_factory=Rectification)


class Manual(_Strict):
    version: str
    title: Text
    categories: tuple[Category, ...]
    objects: tuple[ObjectName, ...]
    rules: tuple[Rule, ...]
    rectification: Rectification = Field(default_factory=Rectification)
    sha256: str = Field(description="hash of the manual's text (UTF-8): the identity stored with every audit")
    source: str = Field(description="the manual's YAML text, kept so old audits stay explainable")

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def categories_by_id(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}

    @cached_property
    def object_names(self) -> dict[str, Text]:
        return {o.id: o.name for o in self.objects}

    def rules_for(self, area: Area) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if area in r.areas)


def _choices(values: Iterable[str], limit: int = 12) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f" … ({len(values)} in all)" if len(values) > limit else "")


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _pydantic_problems(where: str, exc: ValidationError, prefix: str = "") -> list[str]:
    """Turn pydantic's errors into 'where, field X: what is wrong (got Y)' lines."""
    problems = []
    for err in exc.errors():
        field = ".".join([prefix.rstrip(".")] * bool(prefix) + [str(part) for part in err["loc"]])
        if err["type"] == "extra_forbidden":
            problems.append(f"{where}, field {field!r}: unknown key")
        elif err["type"] == "missing":
            problems.append(f"{where}, field {field!r}: missing")
        else:
            got = err.get("input")
            shown = f" (got {got!r})" if not isinstance(got, dict | list) else ""
            hint = " - put it in quotes" if err["type"] == "string_type" and got is not None else ""
            problems.append(f"{where}, field {field!r}: {err['msg']}{shown}{hint}")
    return problems


def _referenced_objects(params: Params) -> set[str]:
    names: set[str] = set()
    for field in OBJECT_FIELDS:
        value = getattr(params, field, None)
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, list | tuple):
            names.update(value)
    zone = getattr(params, "zone", None)
    if isinstance(zone, Zone) and zone in ZONE_SURFACE:
        names.add(ZONE_SURFACE[zone])
    return names


def _declared_ids(items: Any) -> list[str]:
    """The ids of a raw list of categories or objects, read leniently so rules are checked even when the
    list itself has a problem of its own (which is reported separately)."""
    if not isinstance(items, list):
        return []
    return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _build_rule(raw: Any, index: int, category_ids: set[str], object_ids: set[str],
                problems: list[str]) -> Rule | None:
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    where = f"rule {rule_id}" if isinstance(rule_id, str) else f"rule #{index + 1} (no id)"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
        return None
    try:
        rule_spec: _RuleSpec | None = _validate(_RuleSpec, raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(where, exc))
        rule_spec = None  # go on: an unknown check kind or category is worth reporting too
    check_name = raw.get("check")
    if isinstance(check_name, str) and check_name not in CHECK_KINDS:
        problems.append(f"{where}, field 'check': unknown check kind {check_name!r}"
                        f"{_did_you_mean(check_name, CHECK_KINDS)}; known: {_choices(CHECK_KINDS)}")
        return None
    category = raw.get("category")
    if isinstance(category, str) and category not in category_ids:
        problems.append(f"{where}, field 'category': unknown category {category!r}"
                        f"{_did_you_mean(category, category_ids)}; known: {_choices(category_ids)}")
        return None
    if rule_spec is None:
        return None
    kind = CHECK_KINDS[rule_spec.check]
    if rule_spec.judged_on is not None and kind.scope is Scope.HALL:
        problems.append(f"{where}, field 'judged_on': {kind.name} is judged over the whole hall already")
        return None
    try:
        params = _validate(kind.params, rule_spec.params)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(where, exc, prefix="params."))
        return None
    for name in sorted(_referenced_objects(params) - object_ids):
        problems.append(f"{where}, field 'params': object {name!r} is not declared under 'objects'"
                        f"{_did_you_mean(name, object_ids)}")
    return Rule(**rule_spec.model_dump(exclude={"params"}), params=params)


def _too_large(size: str) -> str:
    return (f"refused unread: {size}, over the limit of {MAX_MANUAL_BYTES // 1_000_000} MB (a manual is text of "
            f"some tens of kB)")


def _plain_keys(data: Any) -> Any:
    """Mapping keys JSON can hold: a date or a binary used as a key becomes its text (validation then names
    it), instead of failing the JSON round trip of ``_validate``."""
    if isinstance(data, dict):
        return {k if isinstance(k, str | int | float | bool | None) else str(k): _plain_keys(v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_plain_keys(v) for v in data]
    return data


def parse_manual(text: str, file: str = "<manual>") -> Manual:
    """Validate a manual given as YAML text; raise ManualError listing every problem at once."""
    if len(text) > MAX_MANUAL_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_MANUAL_BYTES:
        raise ManualError(file, [_too_large(f"{len(text.encode('utf-8', 'surrogatepass')):,} bytes")])
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except _Refused as exc:
        raise ManualError(file, [f"refused: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise ManualError(file, [f"not valid YAML: {exc}"]) from exc
    data = _plain_keys(data)
    if not isinstance(data, dict):
        raise ManualError(file, [f"expected a mapping with version, title, categories, objects and rules, "
                                 f"got {type(data).__name__}"])
    problems: list[str] = []
    spec: _ManualSpec | None = None
    try:
        spec = _validate(_ManualSpec, data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems("manual", exc))

    declared: dict[str, set[str]] = {}
    for section, kind_of in (("categories", "category"), ("objects", "object")):
        ids = _declared_ids(data.get(section))
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{kind_of} {duplicate}: duplicate id")
        declared[section] = set(ids)

    rules: list[Rule] = []
    seen_ids: set[str] = set()
    raw_rules = data.get("rules") if isinstance(data.get("rules"), list) else []
    for index, raw in enumerate(raw_rules):
        rule = _build_rule(raw, index, declared["categories"], declared["objects"], problems)
        if rule is None:
            continue
        if rule.id in seen_ids:
            problems.append(f"rule {rule.id}, field 'id': duplicate id")
            continue
        seen_ids.add(rule.id)
        rules.append(rule)
    if problems or spec is None:
        raise ManualError(file, problems)

    return Manual(
        version=spec.version,
        title=spec.title,
        categories=tuple(spec.categories),
        objects=tuple(spec.objects),
        rules=tuple(rules),
        rectification=spec.rectification,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=text,
    )


def load_manual(path: str | Path = DEFAULT_MANUAL) -> Manual:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            text = handle.read(MAX_MANUAL_BYTES + 1)  # no further: a huge file is refused without reading it all
    except FileNotFoundError as exc:
        raise ManualError(str(path), ["file not found"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ManualError(str(path), [f"cannot be read as UTF-8 text: {exc}"]) from exc
    if len(text) > MAX_MANUAL_BYTES:
        raise ManualError(str(path), [_too_large(f"more than {MAX_MANUAL_BYTES:,} characters")])
    return parse_manual(text, str(path))
