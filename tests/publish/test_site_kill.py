"""Attack (issue 21, 6): `kill -9` at random points of `openpeel publish` over a large earlier site.

Before, publish deleted the old site and then renamed the new one into place: a kill during the
deletion left 110k of 150k old files and no index.html, and the next publish refused the folder
("not an openpeel site"). Now the new site is built beside the old and the two change places in
one step (publish/site_folder.py): after every kill the folder is the old site or the new one,
file for file, and the next publish cleans up what the killed one left and succeeds.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import TEST_AUDIT_KEY

from openpeel.assessment.prepare import assess_all_years
from openpeel.core.locations import HEAD_LOG
from openpeel.publish.site_folder import leftovers
from openpeel.store import open_store
from openpeel.warehouse import writing

KILLS = 10
# Thousands of files, so deleting the old site takes long enough for some kills to land in it.
PADDING = 4000


def manifest(folder: Path) -> dict[str, str]:
    """Every file of a site and its hash; the audit head log only by name, since each publication
    appends its own head to it (a whole site from any run of the same publish has the same pages)."""
    return {
        p.relative_to(folder).as_posix(): "head log"
        if p.name == HEAD_LOG
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def pad(site: Path) -> None:
    """Make the earlier site large: many more files, as years of versions and PDFs would."""
    extra = site / "2014" / "earlier"
    for n in range(PADDING):
        sub = extra / f"{n // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"page-{n}.html").write_text(f"<p>earlier page {n}</p>\n", encoding="utf-8")


def publish(env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "openpeel.cli", "publish", "--year", "2014", "--out", str(out), "--by", "pat"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@pytest.mark.slow
def test_kill_9_at_random_points_of_publish_leaves_the_old_or_the_new_site_whole(
    tmp_path: Path, statistics_db: Path
) -> None:
    seed = int(os.environ.get("OPENPEEL_KILL_SEED", random.randrange(2**31)))
    rng = random.Random(seed)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(statistics_db, home / "warehouse.duckdb")
    store = open_store(f"sqlite:///{home / 'workspace.sqlite'}", audit_key=TEST_AUDIT_KEY)
    with writing(home / "warehouse.duckdb", home / "lake") as con:
        assess_all_years(con, store)
    store.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPEEL_")}
    env |= {"OPENPEEL_HOME": str(home), "OPENPEEL_AUDIT_KEY": TEST_AUDIT_KEY}
    out = tmp_path / "site"

    started = time.monotonic()
    first = publish(env, out)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode() if first.stderr else ""
    duration = time.monotonic() - started
    new = manifest(out)
    assert "index.html" in new and "2014/index.html" in new

    outcomes = []
    for n in range(KILLS):
        if manifest(out) == new:
            pad(out)
        old = manifest(out)
        assert len(old) == len(new) + PADDING
        proc = publish(env, out)
        if n % 2 == 0:
            # Anywhere in the run.
            delay = rng.uniform(0, duration)
            time.sleep(delay)
        else:
            # Just after the new site is complete beside the old (its index.html is the last
            # page written): while it is recorded, swapped in, and the old one deleted.
            delay = rng.uniform(0, 0.5)
            until = time.monotonic() + 2 * duration + 30
            while (
                proc.poll() is None
                and time.monotonic() < until
                and not any((p / "index.html").exists() for p in leftovers(out) if ".openpeel-new-" in p.name)
            ):
                time.sleep(0.002)
            time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        found = manifest(out)
        state = "old" if found == old else "new" if found == new else "broken"
        outcomes.append(("late" if n % 2 else "any", round(delay, 2), state, len(leftovers(out))))
        assert state != "broken", (
            f"seed {seed}: kill {n} after {delay:.2f} s left {len(found)} files "
            f"(old site {len(old)}, new {len(new)}); outcomes so far {outcomes}"
        )

    # The next publish cleans up after the killed ones and puts the new site in place.
    last = publish(env, out)
    assert last.wait(timeout=300) == 0, last.stderr.read().decode() if last.stderr else ""
    assert manifest(out) == new, f"seed {seed}"
    assert leftovers(out) == [], f"seed {seed}"
    print(f"seed {seed}; run {duration:.1f} s; kills (when, delay s, state, leftovers): {outcomes}")
