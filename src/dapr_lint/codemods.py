"""dapr-lint's fixes as LibCST codemods, for teams that migrate large code bases with `libcst.tool`.

    python -m libcst.tool codemod -x dapr_lint.codemods.FixDPR104 src/
    python -m libcst.tool codemod -x dapr_lint.codemods.FixAll --unsafe-fixes src/

Each command runs the same rules and edits as `dapr-lint check --fix` (one implementation), limited to its
codes; `FixAll` applies every fixable rule that is on by default. See docs/codemods.md.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from dapr_lint import registry, specs
from dapr_lint.options import OPTIONS
from dapr_lint.engine.fixes import fix_python
from dapr_lint.settings import Settings


class DaprLintFixCommand(VisitorBasedCodemodCommand):
    """Apply dapr-lint fixes for `CODES` to each module."""

    CODES: tuple[str, ...] = ()
    DESCRIPTION = "Apply dapr-lint fixes."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--unsafe-fixes",
            dest="unsafe_fixes",
            action="store_true",
            help="also apply fixes that can change behaviour correct programs rely on",
        )

    def __init__(self, context: CodemodContext, unsafe_fixes: bool = False) -> None:
        super().__init__(context)
        self.unsafe_fixes = unsafe_fixes

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        settings = Settings(
            enabled=frozenset(self.CODES),
            options={key: spec.default for key, spec in OPTIONS.items()},
            fix_mode="fix",
            unsafe_fixes=self.unsafe_fixes,
        )
        outcome = fix_python(self.context.filename or "<module>", tree.bytes, settings)
        if outcome.problems:
            for problem in outcome.problems:
                self.warn(problem)
        if not outcome.applied:
            raise SkipFile("nothing to fix")
        return cst.parse_module(outcome.data)


def _fixable_python_rules() -> list[registry.RuleSpec]:
    return [r for r in specs.all_rules() if r.target == "python" and r.fix_safety is not None]


def _command(rule: registry.RuleSpec) -> type:
    return type(
        f"Fix{rule.code}",
        (DaprLintFixCommand,),
        {
            "CODES": (rule.code,),
            "DESCRIPTION": f"dapr-lint {rule.code} ({rule.name}): {rule.fix_description or rule.summary} "
            f"[{rule.fix_safety} fix]",
            "__doc__": f"Apply dapr-lint's {rule.code} ({rule.name}) fix.",
        },
    )


COMMANDS: dict[str, type] = {}
for _rule in _fixable_python_rules():
    COMMANDS[f"Fix{_rule.code}"] = globals()[f"Fix{_rule.code}"] = _command(_rule)


class FixAll(DaprLintFixCommand):
    """Apply every fix of dapr-lint's default rules."""

    CODES = tuple(r.code for r in _fixable_python_rules() if r.default_enabled)
    DESCRIPTION = "Apply every dapr-lint fix of the rules that are on by default."


COMMANDS["FixAll"] = FixAll
__all__ = ["DaprLintFixCommand", *COMMANDS]
