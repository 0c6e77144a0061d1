"""Reading evidence YAML files, checking them against the forces registry, framework and catalogue.

Errors name the file, the line (from the YAML node) and the field, and suggest the closest valid
name for a mistyped question, topic, kind or indicator.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.core.user_input import NoAliasSafeLoader, load_user_yaml, read_user_file
from openpeel.evidence.models import DRAFT_MARKER, FINDING_KINDS, EvidenceFile
from openpeel.forces import lookup
from openpeel.framework import load_framework
from openpeel.indicators import catalogue


class _LineLoader(NoAliasSafeLoader):
    """A YAML loader that remembers the line of every mapping, for error messages (no aliases)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping  # type: ignore[return-value]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    line = data.get("__line__") if isinstance(data, dict) else None
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "__line__" in node:
            line = node["__line__"]
    return line


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(choices)}"


def load_evidence_file(path: Path) -> EvidenceFile:
    text = read_user_file(path, what="evidence file")
    raw = load_user_yaml(text, path, _LineLoader)
    if not isinstance(raw, dict):
        raise InputError("expected a mapping with force, year, inspections and findings", path=path, line=1)
    return validate_evidence(raw, path)


def validate_evidence(raw: dict[str, Any], path: Path | str) -> EvidenceFile:
    """Validate one force and year's evidence given as plain data.

    Mappings may carry a `__line__` key (the line they start on), used to place errors; the YAML
    loader sets it, and so does the CSV reader for each row.
    """
    where = str(path)
    try:
        evidence = EvidenceFile.model_validate(_strip_lines(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc)
        hint = None
        if first["type"] == "literal_error" and loc and loc[-1] == "kind":
            bad = str(first.get("input"))
            hint = _suggest(bad, list(FINDING_KINDS))
        raise InputError(first["msg"], path=where, line=_line_of(raw, loc), field=field, hint=hint) from None
    _check_names(evidence, raw, where)
    return evidence


def _check_names(evidence: EvidenceFile, raw: dict[str, Any], path: Path | str) -> None:
    try:
        lookup(evidence.force)
    except UnknownNameError as exc:
        raise InputError(str(exc), path=path, line=raw.get("__line__"), field="force") from None
    try:
        framework = load_framework(evidence.year)
    except UnknownNameError as exc:
        raise InputError(str(exc), path=path, field="year") from None
    questions = [q.id for q in framework.questions()]
    kinds = [k.id for k in framework.inspection_kinds]
    indicator_ids = [i.id for i in catalogue().indicators]
    for index, inspection in enumerate(evidence.inspections):
        if inspection.kind not in kinds:
            raise InputError(
                f"unknown inspection kind {inspection.kind!r} for PEEL {evidence.year}",
                path=path,
                line=_line_of(raw, ("inspections", index)),
                field=f"inspections.{index}.kind",
                hint=_suggest(inspection.kind, kinds),
            )
    for index, finding in enumerate(evidence.findings):
        line = _line_of(raw, ("findings", index))
        if finding.text.lstrip().startswith(DRAFT_MARKER):
            raise InputError(
                f"finding {finding.id!r} is still a draft of openpeel evidence draft",
                path=path,
                line=line,
                field=f"findings.{index}.text",
                hint="rewrite its text in openpeel's own words and check its kind, question and topics",
            )
        if finding.question not in questions:
            raise InputError(
                f"unknown question {finding.question!r} for PEEL {evidence.year}",
                path=path,
                line=line,
                field=f"findings.{index}.question",
                hint=_suggest(finding.question, questions),
            )
        for topic in finding.topics:
            if topic not in framework.topics:
                raise InputError(
                    f"unknown topic {topic!r}",
                    path=path,
                    line=line,
                    field=f"findings.{index}.topics",
                    hint=_suggest(topic, list(framework.topics)),
                )
        for name, named in (("indicators", finding.indicators), ("explains", finding.explains)):
            for ind in named:
                if ind not in indicator_ids:
                    raise InputError(
                        f"unknown indicator {ind!r}",
                        path=path,
                        line=line,
                        field=f"findings.{index}.{name}",
                        hint=_suggest(ind, indicator_ids),
                    )


def bundled_evidence_files() -> list[Path]:
    """The evidence files shipped with openpeel (openpeel/evidence/files/*.yaml)."""
    folder = resources.files("openpeel.evidence").joinpath("files")
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith((".yaml", ".yml")))


def bundled_evidence() -> list[tuple[Path, EvidenceFile]]:
    """The shipped evidence files, read: each is parsed once per process while its size and
    modification time stay the same. Every cycle's build, preview and site reads all of them to
    find the ones of its year (about 200 files, a second or more of YAML), so a build of eight
    cycles used to parse each file eight times."""
    out = []
    for path in bundled_evidence_files():
        stat = path.stat()
        out.append((path, _read_shipped(path, stat.st_mtime_ns, stat.st_size)))
    return out


@functools.cache
def _read_shipped(path: Path, mtime_ns: int, size: int) -> EvidenceFile:
    """One shipped file read; the stamp is part of the key, so an edited file is read again. The
    model is frozen, so every caller may share it."""
    del mtime_ns, size
    return load_evidence_file(path)
