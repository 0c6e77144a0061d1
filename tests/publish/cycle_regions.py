"""Reading a page's maps, tables and counts, and the PEEL cycles each one names.

A region is a <table>, a <figure> (a map or chart) or a <p class="count">. Its naming text is the
table's caption, the figure's caption, or the count's own text; every cycle a region mentions
anywhere (apart from a change note in a span.change, which names the previous cycle it compares
with) must be the one its naming text names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from openpeel.framework import available_years, load_framework

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base"}
CYCLE = re.compile(r"PEEL \d{4}(?:/\d{2}|-\d{2})?")


def cycle_titles() -> set[str]:
    return {load_framework(y).title for y in available_years()}


@dataclass
class Region:
    kind: str
    data_cycle: str | None
    naming: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def named(self) -> set[str]:
        return set(CYCLE.findall(" ".join(self.naming)))

    def mentioned(self) -> set[str]:
        return set(CYCLE.findall(" ".join(self.text)))

    def describe(self) -> str:
        return f"{self.kind}: {' '.join(' '.join(self.naming).split())[:160]!r}"


class _Regions(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, Region | None, str]] = []
        self.regions: list[Region] = []
        self.open: list[Region] = []
        self.naming_depth = 0
        self.change_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        region = None
        role = ""
        if tag in ("table", "figure") or (tag == "p" and "count" in classes):
            region = Region(tag if tag != "p" else "count", a.get("data-cycle"))
            self.regions.append(region)
            self.open.append(region)
        if tag in ("caption", "figcaption") and self.open:
            role = "naming"
            self.naming_depth += 1
        if tag == "span" and "change" in classes:
            role = "change"
            self.change_depth += 1
        self.stack.append((tag, region, role))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            name, region, role = self.stack.pop()
            if region is not None:
                self.open.remove(region)
            if role == "naming":
                self.naming_depth -= 1
            if role == "change":
                self.change_depth -= 1
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.open:
            return
        innermost = self.open[-1]
        if self.naming_depth or innermost.kind == "count":
            innermost.naming.append(data)
        if not self.change_depth:
            for region in self.open:
                region.text.append(data)


def regions(page: str) -> list[Region]:
    parser = _Regions()
    parser.feed(page)
    return parser.regions


def one_cycle_problems(page: str) -> list[str]:
    """Every map, table and count of `page` that does not name exactly one cycle, or mentions another."""
    titles = cycle_titles()
    by_year = {str(load_framework(y).year): load_framework(y).title for y in available_years()}
    problems = []
    for region in regions(page):
        named = region.named() & titles
        if len(named) != 1:
            problems.append(f"{region.describe()} names {sorted(named) or 'no cycle'}")
            continue
        others = (region.mentioned() & titles) - named
        if others:
            problems.append(f"{region.describe()} also mentions {sorted(others)}")
        if region.data_cycle is not None and by_year.get(region.data_cycle) not in named:
            problems.append(f"{region.describe()} is marked data-cycle={region.data_cycle}")
    return problems
