"""Formula parsing, the formula cache and plan extraction are bounded."""

from __future__ import annotations

import time

import pytest

from intake.campaign.reasons import reason as reason_of
from intake.domain import formula
from intake.extract.container import ContainerError
from intake.extract.worker import run_limited


def test_deep_nesting_is_unsupported_not_a_crash():
    deep = "(" * 5_000 + "1" + ")" * 5_000
    assert isinstance(formula.parse(deep, "S"), formula.Unsupported)
    minus = "-" * 5_000 + "1"
    assert isinstance(formula.parse(minus, "S"), formula.Unsupported)


def test_nesting_within_excel_limits_still_parses():
    nested = "(" * 30 + "A1+1" + ")" * 30
    assert formula.parse(nested, "S") == formula.parse("A1+1", "S")


def test_long_formulas_are_unsupported():
    chain = "+".join(["A1"] * 1_000)  # 1,999 tokens, a left-deep tree if parsed
    assert isinstance(formula.parse(chain, "S"), formula.Unsupported)
    huge = "1+" * 10_000 + "1"
    parsed = formula.parse(huge, "S")
    assert isinstance(parsed, formula.Unsupported)
    assert len(parsed.text) <= formula.MAX_FORMULA_CHARS


def test_the_cache_is_bounded_and_skips_long_formulas():
    info = formula._parse_cached.cache_info()
    assert info.maxsize == formula.CACHE_SIZE
    for i in range(formula.CACHE_SIZE + 100):
        formula.parse(f"A{i}+{i}", "S")
    assert formula._parse_cached.cache_info().currsize <= formula.CACHE_SIZE
    before = formula._parse_cached.cache_info().misses
    formula.parse("1+" * 400 + "1", "S")  # longer than CACHED_CHARS: parsed, not cached
    assert formula._parse_cached.cache_info().misses == before


def test_a_worker_that_overruns_is_stopped():
    started = time.monotonic()
    with pytest.raises(ContainerError) as info:
        run_limited(time.sleep, (60,), seconds=1, memory=0)
    assert info.value.code == "FILE_UNREADABLE" and "seconden" in reason_of(info.value)
    assert time.monotonic() - started < 30  # stopped, not waited out


def _allocate(size: int) -> int:
    return len(bytearray(size))


def test_a_worker_over_its_memory_is_stopped():
    with pytest.raises(ContainerError) as info:
        run_limited(_allocate, (3 << 30,), seconds=60, memory=1 << 30)
    assert info.value.code in ("FILE_TOO_LARGE", "FILE_UNREADABLE")


def test_a_worker_returns_its_result():
    assert run_limited(_allocate, (1000,), seconds=60, memory=1 << 30) == 1000


def test_with_threads_running_the_worker_comes_from_the_fork_server():
    import threading

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    try:
        assert run_limited(_allocate, (10,), seconds=60, memory=1 << 30) == 10
        with pytest.raises(ContainerError):
            run_limited(time.sleep, (60,), seconds=1, memory=0)
    finally:
        stop.set()
