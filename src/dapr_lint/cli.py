"""The `dapr-lint` command: `check` (the default), `rules`, `rule CODE`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional, Sequence, TextIO

from dapr_lint import __version__, registry
from dapr_lint.config import ConfigError, SelectionLayer, load_config, validate_selectors
from dapr_lint.settings import Settings

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

_COMMANDS = ("check", "rules", "rule", "apps")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2 (its default is also 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"dapr-lint: {message}\nTry 'dapr-lint --help'.\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dapr-lint",
        description="Find the silent bugs of Dapr Python services and their resource files.",
        epilog="`dapr-lint PATH ...` is short for `dapr-lint check PATH ...`.",
    )
    parser.add_argument("--version", action="version", version=f"dapr-lint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="check files and folders (the default command)")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    check.add_argument("--select", help="comma-separated codes or prefixes to enable (replaces the configuration's)")
    check.add_argument("--extend-select", help="codes or prefixes to enable in addition")
    check.add_argument("--ignore", help="codes or prefixes to disable")
    check.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="output format (default: text): json for tools, sarif for code scanning, github for Actions annotations",
    )
    check.add_argument("--output-file", type=Path, help="write the report to this file instead of stdout")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix/--diff) or offer unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and write nothing (exit 1 if any)")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    check.add_argument("--config", type=Path, help="configuration file (default: nearest pyproject.toml with [tool.dapr-lint])")
    check.add_argument("--resources-path", action="append", default=[], help="a folder of the app's Dapr resources (repeatable)")
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude patterns to files named on the command line too (for pre-commit)",
    )
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: number of CPUs)")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--statistics", action="store_true", help="print a count per rule")
    check.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    apps = sub.add_parser("apps", help="print the apps discovered in the repositories of the paths, and why")
    apps.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    apps.add_argument("--format", choices=("text", "json"), default="text")
    apps.add_argument("--config", type=Path, help="configuration file (default: nearest pyproject.toml with [tool.dapr-lint])")
    apps.add_argument("--resources-path", action="append", default=[], help="a folder of the app's Dapr resources (repeatable)")

    rule = sub.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", help="a rule code (DPR101) or name (sync-client-in-async)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in _COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "check")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse exits for --help/--version (0) and usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_ERROR
    try:
        if args.command == "rules":
            return _list_rules(args.format, sys.stdout)
        if args.command == "rule":
            return _show_rule(args.code, sys.stdout)
        if args.command == "apps":
            return _show_apps(args, sys.stdout)
        return _check(args)
    except ConfigError as exc:
        print(f"dapr-lint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours outside any one file: one line, no traceback unless asked
        if "--verbose" in args_list or "-v" in args_list:
            import traceback

            traceback.print_exc()
        print(f"dapr-lint: internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    from dapr_lint import engine
    from dapr_lint.files import discover, repository_files
    from dapr_lint.report import json as json_report
    from dapr_lint.report import text as text_report

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    paths = args.paths or [Path(".")]
    config = load_config(args.config, paths[0])
    config.cli_layer = SelectionLayer(
        select=validate_selectors(args.select, "--select") if args.select is not None else None,
        extend_select=validate_selectors(args.extend_select, "--extend-select") if args.extend_select else [],
        ignore=validate_selectors(args.ignore, "--ignore") if args.ignore else [],
    )
    resources = [str(config.root / p) for p in config.resources_paths] + [str(Path(p).resolve()) for p in args.resources_path]
    settings = Settings(
        enabled=config.enabled_codes(),
        options=dict(config.options),
        resources_paths=tuple(resources),
        verbose=args.verbose,
        fix_mode="diff" if args.diff else ("fix" if args.fix else None),
        unsafe_fixes=args.unsafe_fixes,
    )

    def warn(message: str) -> None:
        print(f"dapr-lint: warning: {message}", file=sys.stderr)

    files = discover(paths, config, warn=warn, force_exclude=args.force_exclude)
    results = engine.run(files, settings, jobs=args.jobs, ignored_for=config.ignored_for, universe=repository_files(files, config))

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    errors = [e for r in results for e in r.errors]

    if args.diff:
        return _report_diff(results, errors, args)
    fixable = [d for d in diagnostics if d.fix is not None and (d.fix.safety == "safe" or args.unsafe_fixes)]
    hidden_unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.safety == "unsafe" and not args.unsafe_fixes)

    if args.format == "json":
        output = json_report.render(diagnostics)
    elif args.format == "sarif":
        from dapr_lint.report import sarif

        output = sarif.render(diagnostics)
    elif args.format == "github":
        from dapr_lint.report import github

        output = github.render(diagnostics)
    else:
        to_terminal = args.output_file is None and sys.stdout.isatty()
        colour = to_terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        output = text_report.render(
            diagnostics,
            colour=colour,
            quiet=args.quiet,
            statistics=args.statistics,
            fixable=fixable,
            hidden_unsafe=hidden_unsafe,
            fixed=[(r.path, code) for r in results for code in r.fixed],
            show_fixes=args.show_fixes,
        )
    _write(output, args.output_file)

    _print_errors(errors, args.verbose)
    if errors:
        return EXIT_ERROR
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _show_apps(args: argparse.Namespace, out: TextIO) -> int:
    """`dapr-lint apps`: what the project rules see, so a user can tell why one fired or not."""
    from dapr_lint import engine
    from dapr_lint.files import discover, repository_files
    from dapr_lint.project import describe_apps

    paths = args.paths or [Path(".")]
    config = load_config(args.config, paths[0])
    resources = [str(config.root / p) for p in config.resources_paths] + [str(Path(p).resolve()) for p in args.resources_path]
    settings = Settings(enabled=frozenset({"DPR401"}), options=dict(config.options), resources_paths=tuple(resources))
    files = discover(paths, config)
    universe = repository_files(files, config) or files
    summaries = engine.summarize(universe, settings)
    described = describe_apps(summaries, settings)
    if args.format == "json":
        out.write(json.dumps(described, indent=2) + "\n")
        return EXIT_CLEAN
    for repository in described:
        out.write(f"repository {repository['root']}\n")
        if not repository["apps"]:
            out.write("  no apps found (no dapr.yaml, Kubernetes manifest, compose sidecar or entry module)\n")
        for app in repository["apps"]:
            app_id = f" (app ID {app['app_id']})" if app["app_id"] else " (no app ID declared)"
            out.write(f"\napp {app['name']}{app_id}{'' if app['uses_dapr'] else ' - uses no Dapr: no Dapr project rule applies'}\n")
            out.write(f"  found from: {'; '.join(app['sources'])}\n")
            if app["folder"]:
                out.write(f"  folder: {app['folder']}\n")
            out.write(f"  modules ({len(app['modules'])}): {', '.join(app['modules']) or '-'}\n")
            if not app["resource_sets"]:
                out.write("  resources: none found (component names are not checked)\n")
            for resource_set in app["resource_sets"]:
                names = ", ".join(f"{c['name']} ({c['type']})" for c in resource_set["components"]) or "-"
                out.write(f"  {resource_set['kind']} resources from {resource_set['origin']}: {names}\n")
                for subscription in resource_set["subscriptions"]:
                    out.write(f"    subscription {subscription['name']}: {subscription['pubsub']}/{subscription['topic']} -> {', '.join(subscription['routes'])}\n")
            routes = app["routes"] if app["routes_complete"] else app["routes"] + ["(and routes the summaries cannot follow)"]
            out.write(f"  routes: {', '.join(routes) or '-'}\n")
            if app["subscriber_routes"]:
                out.write(f"  event routes: {', '.join(app['subscriber_routes'])}\n")
            for path in app["health_paths"]:
                out.write(f"  called by Dapr or the cluster: {path['path']} ({path['origin']})\n")
        if repository["outside"]:
            out.write(f"\nmodules in no app ({len(repository['outside'])}): {', '.join(repository['outside'])}\n")
    return EXIT_CLEAN


def _report_diff(results, errors, args: argparse.Namespace) -> int:
    diffs = [r.diff for r in results if r.diff]
    count = sum(len(r.fixed) for r in results)
    _write("".join(diffs), args.output_file)
    if not args.quiet and diffs:
        noun = "finding" if count == 1 else "findings"
        print(f"Would fix {count} {noun} in {len(diffs)} file{'s' if len(diffs) != 1 else ''}.", file=sys.stderr)
    _print_errors(errors, args.verbose)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if diffs else EXIT_CLEAN


def _print_errors(errors, verbose: bool) -> None:
    for error in errors:
        hint = "" if verbose else " (run with --verbose for the traceback)"
        if not error.traceback:
            hint = ""
        print(f"dapr-lint: internal error in {error.where} on {error.path}: {error.message}{hint}", file=sys.stderr)
        if verbose and error.traceback:
            print(error.traceback, file=sys.stderr)


def _write(output: str, path: Optional[Path]) -> None:
    if path is None:
        sys.stdout.write(output)
        return
    try:
        path.write_text(output, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--output-file: cannot write {path}: {exc.strerror}") from None


def _list_rules(fmt: str, out: TextIO) -> int:
    rules = registry.all_rules()
    if fmt == "json":
        out.write(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "category": r.category,
                        "default": "on" if r.default_enabled else "off",
                        "fix": r.fix_label,
                        "summary": r.summary,
                    }
                    for r in rules
                ],
                indent=2,
            )
            + "\n"
        )
        return EXIT_CLEAN
    if fmt == "markdown":
        out.write(rules_markdown())
        return EXIT_CLEAN
    header = ("code", "name", "category", "default", "fix", "summary")
    rows = [(r.code, r.name, r.category, "on" if r.default_enabled else "off", r.fix_label, r.summary) for r in rules]
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(cell).ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.write("  ".join(cells) + "  " + row[-1] + "\n")
    return EXIT_CLEAN


def rules_markdown(link_prefix: str = "docs/rules/") -> str:
    """The rule table README.md and docs/index.md carry (tests/test_readme.py keeps them in step)."""
    lines = ["| code | name | category | default | fix | what it finds |", "|---|---|---|---|---|---|"]
    for r in registry.all_rules():
        default = "on" if r.default_enabled else "off"
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| [{r.code}]({link_prefix}{r.code}.md) | {r.name} | {r.category} | {default} | {r.fix_label} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def rule_doc(code: str) -> Optional[str]:
    """The Markdown page of a rule: packaged with the wheel, or read from docs/rules in a checkout."""
    from importlib import resources

    name = f"{code}.md"
    try:
        packaged = resources.files("dapr_lint").joinpath("rule_docs", name)
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "docs" / "rules" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return None


def _show_rule(code: str, out: TextIO) -> int:
    key = code.strip()
    spec = None
    try:
        spec = registry.get(key.upper())
    except KeyError:
        spec = registry.by_name(key.lower())
    if spec is None:
        raise ConfigError(f"unknown rule `{code}`; `dapr-lint rules` lists them")
    doc = rule_doc(spec.code)
    if doc is None:
        default = "on" if spec.default_enabled else "off"
        doc = (
            f"# {spec.code}: {spec.name}\n\nCategory: {spec.category} · Default: {default} · Fix: {spec.fix_label}\n\n"
            f"{spec.summary}\n"
        )
    out.write(doc if doc.endswith("\n") else doc + "\n")
    return EXIT_CLEAN
