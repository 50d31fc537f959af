"""The `dapr-lint` command: `check` (the default), `rules`, `rule CODE`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Optional, Sequence, TextIO

from dapr_lint import __version__, reading, specs
from dapr_lint.config import FAIL_ON, CommandLine, ConfigError, Resolver, SelectionLayer, parse_override, validate_selectors
from dapr_lint.session import check_files, rule_doc

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

_COMMANDS = ("check", "rules", "rule", "server", "apps")
OUTPUT_FORMATS = ("text", "concise", "full", "json", "sarif", "github")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2 (its default is also 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"dapr-lint: {message}\nTry 'dapr-lint --help'.\n")


def _parser(command: str = "check") -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dapr-lint",
        description="Find the silent bugs of Dapr Python services and their resource files.",
        epilog="`dapr-lint PATH ...` is short for `dapr-lint check PATH ...`.",
    )
    parser.add_argument("--version", action="version", version=f"dapr-lint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="check files and folders (the default command)")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .); `-` reads standard input")
    # Repeated list options add up (`--ignore DPR101 --ignore DPR301`), as ruff's do.
    check.add_argument(
        "--select", action="append", help="comma-separated codes or prefixes to enable (replaces the configuration's)"
    )
    check.add_argument("--extend-select", action="append", help="codes or prefixes to enable in addition")
    check.add_argument("--ignore", action="append", help="codes or prefixes to disable")
    check.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="output format (default: text, the same as concise): full adds the source line, json for tools, "
        "sarif for code scanning, github for Actions annotations",
    )
    check.add_argument("--output-file", "-o", type=Path, help="write the report to this file instead of stdout")
    check.add_argument(
        "--color",
        "--colour",
        dest="color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output: auto (default) on a terminal unless NO_COLOR is set (FORCE_COLOR forces it)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="exit 1 only for findings of this category or a more severe one (bug > practice > opinion; "
        "default: any finding; also `fail-on` in the configuration); every finding is still reported",
    )
    check.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="exit 1 when a fix was applied, even if no finding is left",
    )
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument(
        "--fix-only",
        action="store_true",
        help="apply fixes, then say what was fixed and count what is left without listing it nor exiting "
        "non-zero for it (implies --fix)",
    )
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix/--diff) or offer unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and write nothing (exit 1 if any)")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied")
    check.add_argument("--add-noqa", action="store_true", help="add `# noqa: CODE` to every line with a finding")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    check.add_argument(
        "--cache-dir",
        type=Path,
        help="where the cache lives (default: .dapr-lint_cache in the project root; also DAPR_LINT_CACHE_DIR)",
    )
    check.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="FILE|KEY=VALUE",
        help="a configuration file used for every file (default: each file's nearest pyproject.toml with "
        "[tool.dapr-lint], or dapr-lint.toml), or a `KEY = VALUE` TOML pair overriding that key (repeatable)",
    )
    check.add_argument(
        "--exclude", action="append", help="comma-separated globs to exclude (replaces the configuration's exclude)"
    )
    check.add_argument("--extend-exclude", action="append", help="comma-separated globs to exclude in addition")
    check.add_argument("--resources-path", action="append", default=[], help="a folder of the app's Dapr resources (repeatable)")
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude patterns to files named on the command line too (for pre-commit)",
    )
    check.add_argument(
        "--stdin-filename",
        type=Path,
        help="with `-`: the path standard input stands for (its configuration, per-file ignores and name)",
    )
    check.add_argument("--show-settings", action="store_true", help="print the effective settings of the first path and exit")
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default and maximum: the number of CPUs, at most one per file)")
    check.add_argument(
        "--per-file-timeout",
        type=float,
        metavar="SECONDS",
        help="CPU seconds one file may take before it is reported as DPR001 and skipped (default 10)",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--statistics", action="store_true", help="print only a count per rule ([*]: fixable with --fix)")
    check.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")

    sub.add_parser("server", help="run the language server over stdio (needs the `lsp` extra: pygls, lsprotocol)")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    edge_kinds: Optional[tuple[str, ...]] = None
    if command == "apps":  # the app model is imported only by the command that draws it
        from dapr_lint.project.graph import EDGE_KINDS

        edge_kinds = EDGE_KINDS

    apps = sub.add_parser("apps", help="print the apps discovered in the repositories of the paths, and why")
    apps.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    apps.add_argument("--format", choices=("text", "json", "mermaid", "dot"), default="text")
    apps.add_argument("--app", metavar="ID", help="draw only this app's neighbourhood (mermaid, dot, json graph)")
    apps.add_argument("--kind", action="append", default=[], choices=edge_kinds, help="draw only these edges (repeatable)")
    apps.add_argument("--resources-path", action="append", default=[], help="a folder of the app's Dapr resources (repeatable)")

    rule = sub.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", help="a rule code (DPR101) or name (sync-client-in-async)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in _COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "check")
    try:
        args = _parser(args_list[0]).parse_args(args_list)
    except SystemExit as exc:  # argparse exits for --help/--version (0) and usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_ERROR
    try:
        if args.command == "rules":
            return _list_rules(args.format, sys.stdout)
        if args.command == "rule":
            return _show_rule(args.code, sys.stdout)
        if args.command == "apps":
            return _show_apps(args, sys.stdout)
        if args.command == "server":
            from dapr_lint.server import main as serve

            return serve()
        return _check(args)
    except ConfigError as exc:
        print(_safe(f"dapr-lint: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`dapr-lint rules | head`): stop quietly, as a process killed by SIGPIPE would.
        # Later writes (the interpreter's final flush included) go nowhere instead of raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        print("dapr-lint: interrupted; nothing more was checked or written", file=sys.stderr)
        return 128 + signum
    except Exception as exc:  # a bug of ours outside any one file: one line, no traceback unless asked
        if "--verbose" in args_list or "-v" in args_list:
            import traceback

            traceback.print_exc()
        print(_safe(f"dapr-lint: internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)"), file=sys.stderr)
        return EXIT_ERROR


def console() -> None:
    """The `dapr-lint` command and `python -m dapr_lint`: main(), then the process ends without tearing the
    interpreter down. That teardown frees every module and object one by one (~40 ms after a run over a few
    hundred files, when the OS takes the whole process back at once) and runs nothing of ours: the output is
    flushed first, and a flush that fails, or a thread still running (the language server's), leaves the
    ordinary exit to report or wait for it."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        raise SystemExit(code) from None
    import threading

    if threading.active_count() > 1:
        raise SystemExit(code)
    os._exit(code)


STDIN_DEFAULT_NAME = "<stdin>.py"


def _command_line(args: argparse.Namespace) -> CommandLine:
    """The settings the command line gives, over every configuration file."""
    config_file: Optional[Path] = None
    overrides: dict = {}
    for value in args.config:
        if Path(value).is_file():
            if config_file is not None:
                raise ConfigError(f"--config: only one configuration file can be given ({config_file}, {value})")
            config_file = Path(value)
        elif "=" in value:
            overrides.update(parse_override(value))
        else:
            raise ConfigError(f"--config: no such file: {value}")
    if args.per_file_timeout is not None:
        overrides["per-file-timeout"] = args.per_file_timeout
        parse_override(f"per-file-timeout = {args.per_file_timeout!r}")  # validated like the key
    fix_mode = "diff" if args.diff else ("fix" if args.fix else None)
    return CommandLine(
        config_file=config_file,
        overrides=overrides,
        selection=SelectionLayer(
            select=validate_selectors(_joined(args.select), "--select") if args.select is not None else None,
            extend_select=validate_selectors(_joined(args.extend_select), "--extend-select") if args.extend_select else [],
            ignore=validate_selectors(_joined(args.ignore), "--ignore") if args.ignore else [],
        ),
        exclude=_globs(_joined(args.exclude), "--exclude") if args.exclude is not None else None,
        extend_exclude=_globs(_joined(args.extend_exclude), "--extend-exclude") if args.extend_exclude else [],
        resources_paths=[str(Path(p).resolve()) for p in args.resources_path],
        fix_mode=fix_mode,
        unsafe_fixes=args.unsafe_fixes,
    )


def _joined(values: list[str]) -> str:
    """The values of a repeated list option as one comma-separated list."""
    return ",".join(values)


def _globs(value: str, option: str) -> list[str]:
    from dapr_lint.config import validate_glob

    return [validate_glob(v.strip(), option) for v in value.split(",") if v.strip()]


def _check(args: argparse.Namespace) -> int:
    from dapr_lint.files import one_walk_per_folder

    with one_walk_per_folder():  # `check .`: the repository the project stage reads is the folder walked
        return _check_paths(args)


def _check_paths(args: argparse.Namespace) -> int:
    from dapr_lint.files import Skipped, SourceFile, discover, display_path, kind_of

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if args.fix_only:
        args.fix = True
    paths = args.paths or [Path(".")]
    stdin = any(str(p) == "-" for p in paths)
    if stdin and len(paths) > 1:
        raise ConfigError("`-` (standard input) cannot be combined with other paths")
    if args.stdin_filename is not None and not stdin:
        raise ConfigError("--stdin-filename needs `-` as the path")
    if stdin and args.add_noqa:
        raise ConfigError("--add-noqa cannot be used with standard input")
    _preload_catalog(args, paths[0])
    cli = _command_line(args)
    if stdin and cli.fix_mode == "fix":
        cli.fix_mode = "diff"  # compute the fixes, print the fixed source; nothing is written
    resolver = Resolver(cli)
    args.resolver = resolver
    if args.add_noqa:
        cli.fix_mode = None

    stdin_data: Optional[bytes] = None
    skipped = Skipped()
    warned: list[str] = []
    if stdin:
        named = args.stdin_filename or Path(STDIN_DEFAULT_NAME)
        if args.show_settings:
            return _show_settings(resolver, named, sys.stdout)
        stdin_data = sys.stdin.buffer.read()
        kind = kind_of(named) or "python"
        display = display_path(named) if args.stdin_filename is not None else STDIN_DEFAULT_NAME
        files = [SourceFile(named, kind, data=stdin_data, display=display)]
    else:
        if args.show_settings:
            return _show_settings(resolver, paths[0], sys.stdout)

        def warn(message: str) -> None:
            warned.append(message)
            print(_safe(f"dapr-lint: warning: {message}"), file=sys.stderr)

    memo = None if stdin or args.no_cache or args.add_noqa or cli.fix_mode is not None else _RunMemo(args, cli, paths)
    kept = memo.results() if memo is not None else None
    if kept is not None:
        files, results = [], kept
    else:
        if not stdin:
            files = discover(paths, resolver.config_for, warn=warn, force_exclude=args.force_exclude, skipped=skipped)
        results = check_files(
            files, resolver, jobs=args.jobs, cache=not args.no_cache, cache_dir=args.cache_dir, named=None if stdin else paths
        )
        if memo is not None and not warned and not skipped.unreadable:
            memo.keep(results, resolver)

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    errors = [e for r in results for e in r.errors]
    for result in results:
        for message in result.warnings:
            print(_safe(f"dapr-lint: warning: {result.path}: {message}"), file=sys.stderr)
    # Exit 2 when a file could not be analysed (its DPR001 says why), or when nothing could be checked
    # because what was found could not be read.
    args.incomplete = any(r.unanalysed for r in results) or (not files and bool(skipped.unreadable))
    # Files that were not checked at all (unreadable, over a budget): the report says so, never "All checks passed."
    args.unchecked = len(skipped.unreadable) + sum(
        1 for r in results if r.unanalysed or any(e.where == "reading the file" for e in r.errors)
    )
    fixed_count = sum(len(r.fixed) for r in results)

    if args.add_noqa:
        return _add_noqa(results, files, errors, args)
    if stdin and args.fix:
        result = results[0]
        sys.stdout.buffer.write(result.fixed_data if result.fixed_data is not None else stdin_data or b"")
        sys.stdout.flush()
        if not args.fix_only:
            report = _render(diagnostics, results, args, {result.path: stdin_data})
            _write(report, args.output_file, stream=sys.stderr)
        return _exit_status(diagnostics, errors, fixed_count, args)
    if args.diff:
        return _report_diff(results, errors, args)
    if args.fix_only:
        # what was fixed, and how much is left (counted, not listed): never "All checks passed." over findings
        if args.show_fixes or not args.quiet:
            _write(_render([], results, args, {}, left=diagnostics), args.output_file)
        _print_errors(errors, args.verbose)
        return _exit_status([], errors, fixed_count, args)
    sources = {files[0].display: stdin_data} if stdin else {}
    _write(_render(diagnostics, results, args, sources), args.output_file)
    _print_errors(errors, args.verbose)
    return _exit_status(diagnostics, errors, fixed_count, args)


def _preload_catalog(args: argparse.Namespace, first: Path) -> None:
    """A run whose files are all cached need not import the rule modules: the rule catalog an earlier
    run saved in the cache is enough to read the configuration and report."""
    if args.no_cache or args.fix or args.diff or args.add_noqa:
        return
    from dapr_lint.cache import load_catalog

    directory = _first_cache_dir(args, first)
    if directory is not None:
        load_catalog(directory)


def _first_cache_dir(args: argparse.Namespace, first: Path) -> Optional[Path]:
    """The cache folder of the first path's configuration (where the run keeps its catalog and run memo)."""
    from dapr_lint.cache import cache_dir_for
    from dapr_lint.config import find_config

    explicit = args.cache_dir
    if explicit is None and not os.environ.get("DAPR_LINT_CACHE_DIR"):
        try:
            found = find_config(Path("." if str(first) == "-" else first))
        except ConfigError:
            return None
        root = found.parent if found is not None else Path.cwd()
    else:
        root = Path.cwd()
    return cache_dir_for(root, explicit)


class _RunMemo:
    """A whole run's answer for the next identical run (run_memo.py): looked up before any file is listed,
    kept after a run that read only under its root, changed nothing and said nothing."""

    def __init__(self, args: argparse.Namespace, cli: CommandLine, paths: list[Path]) -> None:
        from dapr_lint.roots import run_root

        self.directory = _first_cache_dir(args, paths[0])
        root = run_root(paths)
        self.root = root.folder
        named = [os.path.abspath(p) for p in paths]
        # read from outside the root: a configuration file, resources folders (the witness covers the root only)
        outside = [os.path.abspath(cli.config_file)] if cli.config_file is not None else []
        self.usable = self.directory is not None and all(
            _under(p, self.root) for p in [*named, *cli.resources_paths, *outside]
        )
        self.seen: Optional[list] = None
        if self.usable:
            from dapr_lint.cache import code_fingerprint
            from dapr_lint.run_memo import key_of

            environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("DAPR_LINT"))
            self.key = key_of([code_fingerprint(), sys.version, os.getcwd(), repr(cli), [str(p) for p in paths], args.force_exclude, environment, str(self.directory)])

    def results(self) -> Optional[list]:
        if not self.usable:
            return None
        from dapr_lint import run_memo

        entry, self.seen = run_memo.lookup(str(self.directory), self.key, self.root)
        return run_memo.results_of(entry) if entry is not None else None

    def keep(self, results, resolver: Resolver) -> None:
        if self.seen is None or any(r.errors or r.warnings or r.unanalysed or r.fixed for r in results):
            return
        # a configuration's resources folders are read too: only under the root
        for config in resolver.configs():
            if not all(_under(os.path.abspath(config.root / p), self.root) for p in config.resources_paths):
                return
        from dapr_lint import run_memo

        run_memo.keep(str(self.directory), self.key, self.root, self.seen, results)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _exit_status(diagnostics, errors, fixed_count: int, args: argparse.Namespace) -> int:
    if errors or getattr(args, "incomplete", False):
        return EXIT_ERROR
    if args.exit_non_zero_on_fix and fixed_count:
        return EXIT_FINDINGS
    if not args.exit_zero and not args.fix_only and any(_fails(d, args) for d in diagnostics):
        return EXIT_FINDINGS
    return EXIT_CLEAN


_SEVERITY_RANK = {"bug": 0, "tool": 0, "practice": 1, "opinion": 2}


def _fails(diagnostic, args: argparse.Namespace) -> bool:
    """Whether a finding fails the run: `--fail-on`, else the `fail-on` of its file's configuration, else any
    finding does (ruff's and flake8's default)."""
    threshold = getattr(args, "fail_on", None)
    resolver = getattr(args, "resolver", None)
    if threshold is None and resolver is not None:
        threshold = resolver.config_for(Path(diagnostic.path)).fail_on
    if threshold is None:
        return True
    return _SEVERITY_RANK[specs.get(diagnostic.code).category] <= _SEVERITY_RANK[threshold]


def _colour(args: argparse.Namespace) -> bool:
    """`--color always|never`; with auto: not with NO_COLOR set (no-color.org), always with FORCE_COLOR set,
    else on a terminal that is not `dumb`."""
    if args.color != "auto":
        return args.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return args.output_file is None and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _render(diagnostics, results, args: argparse.Namespace, sources: dict, left=None) -> str:
    from dapr_lint.report import text as text_report

    fixable = [d for d in diagnostics if d.fix is not None and (d.fix.safety == "safe" or args.unsafe_fixes)]
    hidden_unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.safety == "unsafe" and not args.unsafe_fixes)
    if args.statistics:
        return text_report.statistics(diagnostics, fixable, as_json=args.format == "json")
    if args.format == "json":
        from dapr_lint.report import json as json_report

        return json_report.render(diagnostics)
    if args.format == "sarif":
        from dapr_lint.report import sarif

        return sarif.render(diagnostics)
    if args.format == "github":
        from dapr_lint.report import github

        return github.render(diagnostics)
    return text_report.render(
        diagnostics,
        colour=_colour(args),
        quiet=args.quiet,
        statistics=False,
        fixable=fixable,
        hidden_unsafe=hidden_unsafe,
        fixed=[(r.path, code) for r in results for code in r.fixed],
        show_fixes=args.show_fixes,
        full=args.format == "full",
        sources=sources,
        unchecked=getattr(args, "unchecked", 0),
        failed=any(r.errors for r in results),
        left=left,
    )


def _show_settings(resolver: Resolver, path: Path, out: TextIO) -> int:
    """The effective settings of one file, as TOML a configuration could hold (ruff's --show-settings)."""
    from dapr_lint.python.sdk_releases import unpinned

    config = resolver.config_for(path)
    settings = resolver.settings_of(config)
    ignored = sorted(config.ignored_for(path))
    toml = _toml_value
    out.write(f"# Effective settings for {path}\n")
    out.write(f"# configuration: {config.source if config.source is not None else 'none (defaults)'}\n")
    out.write(f"# configuration root: {config.root}\n")
    from dapr_lint.roots import run_root

    root = run_root([path])
    out.write(f"# project root: {root.folder} ({root.reason})\n")
    out.write(f"enabled = {toml(sorted(settings.enabled))}\n")
    out.write(f"ignored-for-this-file = {toml(ignored)}\n")
    out.write(f"exclude = {toml(config.exclude)}\n")
    out.write(f"extend-exclude = {toml(config.extend_exclude)}\n")
    out.write(f"per-file-ignores = {{ {', '.join(f'{toml(k)} = {toml(v)}' for k, v in config.per_file_ignores.items())} }}\n")
    out.write(f"resources-paths = {toml(list(settings.resources_paths))}\n")
    if config.fail_on is not None:
        out.write(f"fail-on = {toml(config.fail_on)}\n")
    sdk = resolver.sdk_for(path)
    if config.target_sdk is not None:
        out.write(f"target-sdk = {toml(config.target_sdk)}\n")
    out.write(f"# Dapr SDK judged against: {sdk.describe() if sdk is not None else unpinned().describe()}\n")
    for key in sorted(settings.options):
        out.write(f"{key} = {toml(settings.options[key])}\n")
    return EXIT_CLEAN


def _toml_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value))


def _add_noqa(results, files, errors, args: argparse.Namespace) -> int:
    from dapr_lint.engine.fixes import write_atomic
    from dapr_lint.add_noqa import add_noqa

    by_display = {}
    for f in files:
        from dapr_lint.files import display_path

        by_display[f.display or display_path(f.path)] = f.path
    added = 0
    for result in results:
        if not result.diagnostics or result.path not in by_display:
            continue
        path = by_display[result.path]
        try:
            data = reading.read_bytes(path)
        except OSError:
            continue
        new, count = add_noqa(data, result.diagnostics)
        if count and new != data:
            try:
                write_atomic(path, new)
            except OSError as exc:
                print(_safe(f"dapr-lint: cannot write {result.path}: {exc.strerror or exc}"), file=sys.stderr)
                continue
            added += count
    if not args.quiet:
        print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
    _print_errors(errors, args.verbose)
    return EXIT_ERROR if errors else EXIT_CLEAN


def _show_apps(args: argparse.Namespace, out: TextIO) -> int:
    """`dapr-lint apps`: what the project rules see, so a user can tell why one fired or not."""
    from dataclasses import replace

    from dapr_lint.config import CommandLine
    from dapr_lint.engine.project_stage import completed
    from dapr_lint.engine.run import summarize
    from dapr_lint.files import discover, repository_files
    from dapr_lint.report.apps import app_graphs, describe_apps, render_apps
    from dapr_lint.report.graph import to_dot, to_mermaid
    from dapr_lint.roots import run_root, strong_marker

    paths = args.paths or [Path(".")]
    resolver = Resolver(CommandLine(resources_paths=[str(Path(p).resolve()) for p in args.resources_path]))
    files = discover(paths, resolver.config_for)
    root = run_root(paths)
    universe = (repository_files(files, resolver.config_for, root) if root.marked else files) or files
    config = resolver.config_for(paths[0])
    configured = resolver.settings_of(config)
    settings = replace(configured, enabled=frozenset(), summaries=True, root=root)
    # per-file-ignores are carried by the summaries: the marks on the graph honour them as `check` does
    summaries = list(summarize(universe, settings, ignored_for=config.ignored_for))
    # the marks come from the configured rules: the async calls DPR101 reads are read in full where it needs them
    summaries = completed(summaries, replace(settings, enabled=configured.enabled), None)
    if args.format in ("mermaid", "dot"):
        graphs = app_graphs(summaries, settings, args.app, args.kind, configured.enabled)
        if args.app and not any(g.nodes for g in graphs):
            print(f"dapr-lint: no app with ID `{args.app}` in the repositories of the paths", file=sys.stderr)
            return EXIT_ERROR
        out.write(to_mermaid(graphs) if args.format == "mermaid" else to_dot(graphs))
        return EXIT_CLEAN
    described = describe_apps(summaries, settings, args.app, args.kind, configured.enabled)
    for repository in described:
        # why this folder is where the repository starts: the run's root, or a marker of its own below it
        own = strong_marker(os.path.abspath(repository["root"]))
        same = os.path.abspath(repository["root"]) == root.folder
        repository["why"] = root.reason if same or own is None else f"holds {own}"
        for app in repository["apps"]:
            # the SDK the app's code is judged against: its entry module's (else its folder's) nearest pin
            where = Path(app["entries"][0]) if app["entries"] else Path(app["folder"] or ".") / "__init__.py"
            pin = resolver.sdk_for(where)
            app["sdk"] = None if pin is None else {"low": pin.low, "high": pin.high, "source": pin.source}
    from dapr_lint.report import printable_data

    # folder, file, component and route names come from the repository: escaped like every other output
    described = printable_data(described)
    if args.format == "json":
        out.write(json.dumps(described, indent=2) + "\n")
        return EXIT_CLEAN
    out.write(render_apps(described))
    return EXIT_CLEAN


def _report_diff(results, errors, args: argparse.Namespace) -> int:
    diffs = [r.diff for r in results if r.diff]
    count = sum(len(r.fixed) for r in results)
    _write("".join(diffs), args.output_file)
    if not args.quiet and diffs:
        noun = "finding" if count == 1 else "findings"
        print(f"Would fix {count} {noun} in {len(diffs)} file{'s' if len(diffs) != 1 else ''}.", file=sys.stderr)
    _print_errors(errors, args.verbose)
    if errors or getattr(args, "incomplete", False):
        return EXIT_ERROR
    return EXIT_FINDINGS if diffs else EXIT_CLEAN


def _print_errors(errors, verbose: bool) -> None:
    for error in errors:
        hint = "" if verbose else " (run with --verbose for the traceback)"
        if not error.traceback:
            hint = ""
        print(_safe(f"dapr-lint: internal error in {error.where} on {error.path}: {error.message}{hint}"), file=sys.stderr)
        if verbose and error.traceback:
            print(error.traceback, file=sys.stderr)


def _encoded(text: str, encoding: str) -> bytes:
    """Text as bytes the destination takes: a file name that is not valid UTF-8 (held with surrogateescape)
    gets its own bytes back; what the encoding cannot hold (an ASCII terminal) is backslash-escaped."""
    try:
        return text.encode(encoding, errors="surrogateescape")
    except UnicodeEncodeError:
        return text.encode(encoding, errors="backslashreplace")


def _safe(text: str, stream: Optional[TextIO] = None) -> str:
    """A message that `print` can write to stderr whatever its encoding and whatever the file names, with
    the control characters of a name escaped (report.printable)."""
    from dapr_lint.report import printable

    encoding = getattr(stream or sys.stderr, "encoding", None) or "utf-8"
    return printable(text).encode(encoding, errors="backslashreplace").decode(encoding, errors="replace")



def _write(output: str, path: Optional[Path], stream: Optional[TextIO] = None) -> None:
    if path is None:
        target = stream or sys.stdout
        encoding = getattr(target, "encoding", None) or "utf-8"
        buffer = getattr(target, "buffer", None)
        if buffer is not None:
            target.flush()
            buffer.write(_encoded(output, encoding))
            buffer.flush()
        else:
            target.write(_encoded(output, encoding).decode(encoding, errors="replace"))
        return
    try:
        path.write_bytes(_encoded(output, "utf-8"))
    except OSError as exc:
        raise ConfigError(f"--output-file: cannot write {path}: {exc.strerror}") from None


def _list_rules(fmt: str, out: TextIO) -> int:
    rules = specs.all_rules()
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
    """The rule table `dapr-lint rules --format markdown` prints."""
    lines = ["| code | name | category | default | fix | what it finds |", "|---|---|---|---|---|---|"]
    for r in specs.all_rules():
        default = "on" if r.default_enabled else "off"
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| [{r.code}]({link_prefix}{r.code}.md) | {r.name} | {r.category} | {default} | {r.fix_label} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def _show_rule(code: str, out: TextIO) -> int:
    key = code.strip()
    spec = None
    try:
        spec = specs.get(key.upper())
    except KeyError:
        spec = specs.by_name(key.lower())
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
