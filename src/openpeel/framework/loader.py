"""Finding and validating the framework file of a PEEL year."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.framework.models import Framework


def _files() -> dict[int, str]:
    folder = resources.files("openpeel.framework").joinpath("years")
    out = {}
    for entry in folder.iterdir():
        match = re.fullmatch(r"peel-(\d{4})\.yaml", entry.name)
        if match:
            out[int(match.group(1))] = entry.name
    return out


def available_years() -> list[int]:
    return sorted(_files())


def _normalise(text: str) -> str:
    # People write cycles with en dashes ("2023–25"), slashes or hyphens, with or without "PEEL".
    cleaned = text.strip().lower().replace("\u2013", "-").replace("\u2014", "-")
    cleaned = re.sub(r"^peel\s*", "", cleaned)
    return re.sub(r"\s+", "", cleaned)


def parse_year(text: str | int) -> int:
    """The framework year named by `text`: '2018', '2018/19', 'PEEL 2018/19', '2023-25', '2023–25'...

    A cycle is stored under its first year; an unknown name raises UnknownNameError listing the cycles.
    """
    wanted = _normalise(str(text))
    cycles: list[str] = []
    for year in available_years():
        framework = load_framework(year)
        if wanted in {_normalise(name) for name in framework.spellings()}:
            return year
        cycles.append(framework.cycle or str(year))
    raise UnknownNameError("PEEL cycle", str(text), cycles)


@cache
def load_framework(year: int) -> Framework:
    files = _files()
    if year not in files:
        raise UnknownNameError("PEEL year", str(year), [str(y) for y in sorted(files)])
    name = files[year]
    text = resources.files("openpeel.framework").joinpath("years", name).read_text(encoding="utf-8")
    where = f"openpeel/framework/years/{name}"
    try:
        data = yaml.safe_load(text)
        framework = Framework.model_validate(data)
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path=where) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], path=where, field=loc) from exc
    if framework.year != year:
        raise InputError(f"file says year {framework.year}", path=where, field="year")
    return framework
