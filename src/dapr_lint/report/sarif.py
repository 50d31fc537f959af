"""SARIF 2.1.0 for code-scanning services: one run, the driver lists every rule, one result per finding."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from dapr_lint import __version__, registry, specs
from dapr_lint.diagnostics import Diagnostic
from dapr_lint.report import category_of, printable, severity_of

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Where the rule pages are published; each rule's helpUri is this plus `DPRxxx.md`.
DOCS_URL = "https://github.com/dapr-lint/dapr-lint/blob/main/docs/rules/"
INFORMATION_URL = "https://github.com/dapr-lint/dapr-lint"

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """A relative URI for any file name: a name that is not valid UTF-8 (held with surrogateescape) is
    percent-encoded from its own bytes."""
    try:
        return quote(path)
    except UnicodeEncodeError:
        return quote(os.fsencode(path))


def _rule_descriptor(rule: registry.RuleSpec) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "helpUri": f"{DOCS_URL}{rule.code}.md",
        "defaultConfiguration": {"level": _LEVELS[rule.severity], "enabled": rule.default_enabled},
        "properties": {"category": rule.category, "fix": rule.fix_label},
    }


def render(diagnostics: list[Diagnostic]) -> str:
    rules = specs.all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVELS[severity_of(d)],
                "message": {"text": printable(d.message)},
                "properties": {"category": category_of(d)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": d.line,
                                "startColumn": d.column,
                                "endLine": d.end_line,
                                "endColumn": d.end_column,
                            },
                        }
                    }
                ],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dapr-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URL,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
