"""Everything a judgement depends on besides the file itself."""

from __future__ import annotations

from dataclasses import dataclass

from intake.extract.container import Limits
from intake.register import Register
from intake.rules import Rules, load_rules
from intake.templates import TemplateFamily, load_family


@dataclass(frozen=True)
class Context:
    """Everything a judgement depends on besides the file itself."""

    rules: Rules
    family: TemplateFamily
    register: Register | None = None
    reader: str = "fastxml"  # "fastxml" (hot path) or "openpyxl" (reference)
    validation: str = "auto"  # "auto", "pandera" or "direct"

    @classmethod
    def default(
        cls, register: Register | None = None, reader: str = "fastxml", validation: str = "auto"
    ) -> Context:
        rules = load_rules()
        return cls(rules, load_family(rules.template_family), register, reader, validation)

    @property
    def limits(self) -> Limits:
        return Limits.from_rules(self.rules.limits)
