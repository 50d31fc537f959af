"""Precision check: lint pinned public Dapr code bases and write, per rule, the findings to review.

    python benchmarks/precision.py [--mirrors DIR] [--out DIR] [--select CODES] [--only NAME ...]

The repositories are NOT downloaded by this script (nor by CI): the developer fetches each one as a bare git
mirror beforehand: a bare clone of OWNER/NAME at MIRRORS/OWNER+NAME/repo (MIRRORS is `--mirrors`, else
$DAPR_LINT_MIRRORS, else benchmarks/mirrors). A repository that is absent, or lacks the pinned commit, is skipped with a
note; with none present the script says so and exits 0.

For each repository the Python, YAML and TOML files of the pinned commit are extracted (blobs missing from a
partial mirror are skipped), dapr-lint runs over the tree with the defaults a new user gets (or `--select`), and
OUT/<CODE>.md lists each finding with three lines of context and a blank
verdict (`[ ] true  [ ] false  reason:`) to fill in by hand. OUT/summary.md counts findings per rule and
repository. The verdicts are the review; the closing note of the audit reports the counts.

It runs dapr-lint only; it never imports or runs code of the linted repositories.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

# (owner/name, pinned commit): the Dapr Python SDK, its quickstarts, samples and agents framework, and
# applications found by searching public code for the Dapr Python SDK.
PINNED: list[tuple[str, str]] = [
    ("dapr/python-sdk", "e4ad1818079c5089814e4d1610b585286d28b98f"),
    ("dapr/quickstarts", "56eb3ae3a4cc1783f2d65a6525deb51065fe0151"),
    ("dapr/samples", "e925ff1a532ce6d840842e9fac9ee3f0daba6a22"),
    ("dapr/dapr-agents", "5a3c8348ff38d49e7485bfdf7a6935cf0e03cc19"),
    ("implodingduck/aca-dapr", "a05efa32b1ff2d2c8f8107468f74ebf62c2699c5"),
    ("LionTao/misty", "e8f2376750ec76e112975191cb80fd747f041f6a"),
    ("inirudebwoy/dapr-pubsub-article", "4556808d10a47f2d0b68fcb5301c86039991a64d"),
    ("crazybber/dapr-run", "7cebc738e660f3ede7e0fd853ee9b270115793e9"),
    ("Roadwork/Roadwork-RL", "71d0d52a8031d5981ec47af5ee53e8215804de68"),
]
_SUFFIXES = (".py", ".yaml", ".yml", ".toml")
_MAX_BLOB = 2_000_000


def _git(git_dir: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], input=data, capture_output=True, check=True, timeout=600
    ).stdout


def extract(git_dir: Path, commit: str, dest: Path) -> int:
    """Write the commit's Python/YAML/TOML files under dest; blobs absent from the mirror are skipped."""
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--long", commit).split(b"\0")
    wanted: list[tuple[str, str]] = []
    for entry in listing:
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        name = path.decode("utf-8", "replace")
        if kind != b"blob" or mode == b"120000" or not name.endswith(_SUFFIXES) or size == b"-" or int(size) > _MAX_BLOB:
            continue
        wanted.append((sha.decode(), name))
    written = 0
    for sha, name in wanted:
        try:
            blob = _git(git_dir, "cat-file", "blob", sha)
        except subprocess.CalledProcessError:
            continue  # a partial mirror: this blob is not there
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        written += 1
    return written


def lint(tree: Path, select: str | None) -> list[dict]:
    # the defaults a new user gets (test code included in the walk, with its own defaults), unless --select
    (tree / "pyproject.toml").write_text("[tool.dapr-lint]\n", encoding="utf-8")
    command = [sys.executable, "-m", "dapr_lint", "check", ".", "--format", "json", "--exit-zero", "--no-cache"]
    done = subprocess.run(
        command + (["--select", select] if select else []),
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
    )
    if done.returncode != 0:
        print(f"  dapr-lint exited {done.returncode}: {done.stderr.strip()[:500]}", file=sys.stderr)
    return json.loads(done.stdout or "[]")


def _context(tree: Path, path: str, line: int) -> str:
    try:
        lines = (tree / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    start, end = max(0, line - 3), min(len(lines), line + 2)
    return "\n".join(f"{'>' if n + 1 == line else ' '} {n + 1:5} | {lines[n]}" for n in range(start, end))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", default=os.environ.get("DAPR_LINT_MIRRORS", str(Path(__file__).resolve().parent / "mirrors")))
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "precision-review"))
    parser.add_argument("--select", default=None, help="rule codes (default: the tool's default selection)")
    parser.add_argument("--only", nargs="*", help="owner/name of the repositories to check (default: all pinned)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    by_rule: dict[str, list[str]] = defaultdict(list)
    counts: Counter = Counter()
    checked = []
    with tempfile.TemporaryDirectory(prefix="dapr-lint-precision-") as scratch:
        for repo, commit in PINNED:
            if args.only and repo not in args.only:
                continue
            git_dir = Path(args.mirrors) / repo.replace("/", "+") / "repo"
            if not git_dir.is_dir():
                print(f"skip {repo}: no mirror at {git_dir} (make a bare clone of {repo} there first)")
                continue
            try:
                _git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}")
            except subprocess.CalledProcessError:
                print(f"skip {repo}: the mirror lacks the pinned commit {commit[:12]}")
                continue
            tree = Path(scratch) / repo.replace("/", "+")
            files = extract(git_dir, commit, tree)
            findings = lint(tree, args.select)
            checked.append((repo, commit, files, len(findings)))
            print(f"{repo}@{commit[:12]}: {files} files, {len(findings)} findings")
            for finding in sorted(findings, key=lambda f: (f["code"], f["path"], f["line"])):
                counts[(finding["code"], repo)] += 1
                by_rule[finding["code"]].append(
                    f"### {repo} `{finding['path']}:{finding['line']}:{finding['column']}`\n\n{finding['message']}\n\n"
                    f"```\n{_context(tree, finding['path'], finding['line'])}\n```\n\n[ ] true  [ ] false  reason:\n"
                )
    if not checked:
        print("no pinned repository is present: nothing to review")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for code, entries in by_rule.items():
        (out / f"{code}.md").write_text(f"# {code}: {len(entries)} findings to review\n\n" + "\n".join(entries), encoding="utf-8")
    rows = ["| rule | " + " | ".join(repo for repo, *_ in checked) + " | total |", "|---" * (len(checked) + 2) + "|"]
    for code in sorted(by_rule):
        per = [counts[(code, repo)] for repo, *_ in checked]
        rows.append(f"| {code} | " + " | ".join(map(str, per)) + f" | {sum(per)} |")
    header = "\n".join(f"- {repo} @ {commit}: {files} files, {n} findings" for repo, commit, files, n in checked)
    (out / "summary.md").write_text(f"# Findings per rule\n\n{header}\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"review files written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
