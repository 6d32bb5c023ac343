"""Every check, declared once: its finding codes, the facts it reads, where it runs.

A check is a plain function whose parameter names are the facts it needs (`ir`,
`family`, `rules`, `received`, …); `@check` records it with its stage and codes. The
pipelines iterate `for_stage(...)` and hand each check the facts by name, so adding a
check is one function in a module of `intake.checks` plus its codes' texts in the
rules. Unit tests call the functions directly with hand-built facts.

The codes are checked against every rules file when a campaign loads (`rulecheck`):
a check that may raise a code the rules do not describe is a configuration error.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from intake.domain import Finding


class Stage(StrEnum):
    WORKBOOK = "workbook"  # the model recognised, its cells read and recomputed
    TABLES = "tables"  # pandera schemas over every workbook of a batch at once
    PLAN_RECEIVED = "plan_received"  # a kwaliteitsplan recognised, whatever its text
    PLAN_TEXT = "plan_text"  # what a kwaliteitsplan's text says
    PAIR = "pair"  # a plan held against the model of the same provider and campaign


@dataclass(frozen=True)
class Check:
    name: str
    stages: frozenset[Stage]
    codes: tuple[str, ...]
    needs: tuple[str, ...]
    func: Callable[..., list[Finding]]
    stops: frozenset[str] = frozenset()  # after one of these codes the stage goes no further

    def run(self, facts: object) -> list[Finding]:
        return self.func(**{name: getattr(facts, name) for name in self.needs})


_REGISTRY: dict[str, Check] = {}


def check(
    *stages: Stage, codes: Iterable[str], stops: Iterable[str] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a check for one or more stages; the function stays callable as it is."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{func.__module__.rpartition('.')[2]}.{func.__name__}"
        needs = tuple(inspect.signature(func).parameters)
        _REGISTRY[name] = Check(
            name, frozenset(stages), tuple(codes), needs, func, frozenset(stops)
        )
        return func

    return register


@functools.cache
def _load() -> None:
    """Import every module of `intake.checks` once, so each declares its checks (once per
    process: listing the package's folder on every call cost a file system scan per
    document)."""
    package = importlib.import_module("intake.checks")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in {"registry", "frames"}:  # frames needs pandera: tables loads it
            importlib.import_module(f"intake.checks.{module.name}")


def all_checks() -> list[Check]:
    _load()
    return list(_REGISTRY.values())


def for_stage(stage: Stage) -> list[Check]:
    """The checks of one stage in declaration order (module order, then line order)."""
    return [c for c in all_checks() if stage in c.stages]


def codes(stages: Iterable[Stage] = tuple(Stage)) -> set[str]:
    wanted = set(stages)
    return {code for c in all_checks() if c.stages & wanted for code in c.codes}
