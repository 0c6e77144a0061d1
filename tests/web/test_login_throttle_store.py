"""Sign-in backoff counted in the workspace store: every server process sees the same tries, on
SQLite and on PostgreSQL."""

from __future__ import annotations

from openpeel.store import Store, open_store
from openpeel.web.ratelimit import ADDRESS_ALLOWANCE_FACTOR, LoginThrottle, StoreCounts


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _throttle(store: Store, clock: Clock, **kwargs: int) -> LoginThrottle:
    max_tracked = kwargs.pop("max_tracked", 100_000)
    throttle = LoginThrottle(3, window=600, max_backoff=30, counts=StoreCounts(store, max_tracked))
    throttle.clock = clock
    return throttle


def test_two_processes_count_the_same_tries(store: Store) -> None:
    """Guesses spread over two server processes (two stores open on one database) add up."""
    other = open_store(store.url, audit_key="k" * 40, upgrade=False)
    clock = Clock()
    first, second = _throttle(store, clock), _throttle(other, clock)
    try:
        waits = []
        for n in range(6):
            (first if n % 2 == 0 else second).failed("mo", "203.0.113.9")
            waits.append((second if n % 2 == 0 else first).retry_after("mo", "203.0.113.9"))
        assert waits == [0, 0, 1, 2, 4, 8]
        assert first.retry_after("mo", "192.0.2.1") == 0  # the owner elsewhere is not slowed
        second.succeeded("mo", "203.0.113.9")
        assert first.retry_after("mo", "203.0.113.9") == 0
    finally:
        other.dispose()


def test_a_quiet_count_starts_again_and_is_removed(store: Store) -> None:
    clock = Clock()
    throttle = _throttle(store, clock)
    for _ in range(5):
        throttle.failed("mo", "a")
    assert throttle.retry_after("mo", "a") == 4
    clock.now += 601
    assert throttle.retry_after("mo", "a") == 0
    throttle.failed("mo", "a")  # after the window this is the first failure again
    assert throttle.counts.load(["account:mo address:a"])["account:mo address:a"].failures == 1
    clock.now += 601
    throttle.failed("someone", "b")
    assert throttle.counts.size() == 2  # a's two counts were deleted when b's failure was recorded


def test_a_name_with_a_nul_or_a_space_is_its_own_count(store: Store) -> None:
    clock = Clock()
    throttle = _throttle(store, clock)
    for _ in range(4):
        throttle.failed("mo\x00 address:b", "a")
    assert throttle.retry_after("mo\x00 address:b", "a") >= 1
    assert throttle.retry_after("mo", "b") == 0


def test_an_address_trying_many_accounts_is_slowed_and_the_table_is_bounded(store: Store) -> None:
    clock = Clock()
    throttle = _throttle(store, clock, max_tracked=20)
    for i in range(3 * ADDRESS_ALLOWANCE_FACTOR + 30):
        clock.now += 0.001
        throttle.failed(f"invented{i}", "a")
    assert throttle.counts.size() <= 20
    assert throttle.retry_after("anyone-else", "a") >= 1  # the flooding address stays slowed
    assert throttle.retry_after("anyone-else", "b") == 0
