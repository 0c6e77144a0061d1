"""The held-out forces of each cycle, drawn at random with a recorded seed (blind protocol).

Drawn before any finding of the cycle is written under the protocol, and before the rubric is
tuned: the rubric is tuned on the other forces only, frozen (its hash recorded), and only then are
the held-out forces' findings written. `python -m openpeel.assessment.held_out YEAR SEED` prints
a draw; rubrics/held-out.yaml records the draws used, and calibrate reads them from there.
"""

from __future__ import annotations

import random
import sys
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from openpeel.core.errors import InputError
from openpeel.forces import territorial_forces

SHARE = 0.3
FILE = "held-out.yaml"


def draw_held_out(seed: int, share: float = SHARE) -> list[str]:
    """`share` of the 43 territorial forces (rounded), drawn with `seed`, in alphabetical order."""
    forces = sorted(f.force_id for f in territorial_forces())
    chosen = random.Random(seed).sample(forces, round(len(forces) * share))
    return sorted(chosen)


class Draw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    seed: int
    share: float
    held_out: tuple[str, ...]


class Draws(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: str
    drawn: str
    draws: tuple[Draw, ...]


@cache
def recorded_draws() -> dict[int, Draw]:
    """The draws in rubrics/held-out.yaml, each checked against a fresh draw with its seed."""
    where = f"openpeel/assessment/rubrics/{FILE}"
    text = resources.files("openpeel.assessment").joinpath("rubrics", FILE).read_text(encoding="utf-8")
    try:
        draws = Draws.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=where, field=".".join(map(str, first["loc"]))) from None
    out = {}
    for draw in draws.draws:
        if list(draw.held_out) != draw_held_out(draw.seed, draw.share):
            raise InputError(
                f"the PEEL {draw.year} held-out list is not what seed {draw.seed} draws",
                path=where,
                field="held_out",
            )
        out[draw.year] = draw
    return out


if __name__ == "__main__":
    year, seed = int(sys.argv[1]), int(sys.argv[2])
    print(yaml.safe_dump({"year": year, "seed": seed, "share": SHARE, "held_out": draw_held_out(seed)}))
