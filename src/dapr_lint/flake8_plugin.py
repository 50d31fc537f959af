"""dapr-lint as a flake8 plugin (entry point `DPR` in group `flake8.extension`).

The same per-file stage as `dapr-lint check` (one implementation): the module is rebuilt from the lines
flake8 read, modelled once, and every enabled Python rule runs. flake8 itself applies `# noqa`,
`--per-file-ignores` and `--select`/`--ignore` to what we yield.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from dapr_lint import __version__, registry
from dapr_lint.settings import Settings
from dapr_lint.suppress import skips_file


class DaprLintPlugin:
    name = "dapr-lint"
    version = __version__

    # Codes flake8 was asked for beyond our defaults (`--select DPR107`); set by parse_options.
    _explicit: tuple[str, ...] = ()

    def __init__(self, tree: Any, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def parse_options(cls, options: Any) -> None:
        selectors = []
        for attribute in ("select", "extend_select", "enable_extensions"):
            value = getattr(options, attribute, None) or []
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",")]
            selectors.extend(v.upper() for v in value if v)
        # `--select DPR` means "this plugin", as with any flake8 plugin: it keeps our defaults (opinion
        # rules off). A more specific selector (`DPR107`, `DPR10`) switches rules on, as in dapr-lint.
        cls._explicit = tuple(s for s in selectors if s.startswith("DPR") and len(s) > 3)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from dapr_lint.python.analyzer import analyze_python

        text = "".join(self.lines)
        if skips_file(text):
            return
        settings = _settings(self._explicit, _config_root(self.filename))
        result = analyze_python(self.filename, _encode(text, self.lines), settings)
        off = _test_code_off(self.filename, _config_root(self.filename))
        for d in result.diagnostics:
            if d.code in off:
                continue
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)
        for error in result.errors:
            yield 1, 0, f"DPR001 dapr-lint internal error in {error.where}: {error.message}", type(self)


def _encode(text: str, lines: Sequence[str]) -> bytes:
    """Bytes in the file's declared encoding, so that LibCST reads the coding cookie truthfully."""
    match = re.search(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", "".join(lines[:2]), re.MULTILINE)
    if match:
        try:
            return text.encode(match.group(1))
        except (LookupError, UnicodeEncodeError):
            pass
    return text.encode("utf-8")


def _config_root(filename: str) -> Optional[str]:
    if filename in ("stdin", "-", ""):
        return None
    from dapr_lint.config import find_config

    found = find_config(Path(filename).resolve().parent)
    return str(found) if found is not None else None


@lru_cache(maxsize=64)
def _settings(explicit: tuple[str, ...], config_path: Optional[str]) -> Settings:
    """Rule options come from the project's [tool.dapr-lint]; rule selection is flake8's business, so
    only our defaults plus explicitly selected codes run."""
    from dapr_lint.config import OPTIONS, load_config

    options = {key: spec.default for key, spec in OPTIONS.items()}
    if config_path is not None:
        try:
            options.update(load_config(Path(config_path), Path(config_path).parent).options)
        except Exception:
            pass  # a broken config is reported by `dapr-lint check`; flake8 keeps the defaults
    enabled = {r.code for r in registry.all_rules() if r.default_enabled}
    for selector in explicit:
        enabled.update(registry.matching(selector, registry.codes()))
    return Settings(enabled=frozenset(enabled), options=options)


def _test_code_off(filename: str, config_path: Optional[str]) -> frozenset[str]:
    """The rules dapr-lint turns off in test code (`test-paths`), so that both tools agree."""
    from dapr_lint.config import Config, load_config

    if filename in ("stdin", "-", ""):
        return frozenset()
    config: Config
    try:
        config = load_config(Path(config_path), Path(config_path).parent) if config_path else Config(root=Path.cwd())
    except Exception:
        config = Config(root=Path.cwd())
    config.per_file_ignores = {}  # flake8 has its own per-file-ignores
    return config.ignored_for(Path(filename))
