"""Regenerate src/dapr_lint/python/sdk_versions.py: what each Dapr Python SDK release (and dapr-agents release) offers.

    python scripts/gen_sdk_versions.py --sdk-git PATH/TO/python-sdk/.git --agents-git PATH/TO/dapr-agents/.git \
        > src/dapr_lint/python/sdk_versions.py

Every final release tag of a clone of dapr/python-sdk (v1.10.0 and later) is read with `git cat-file`, its source
parsed with `ast` (never imported), and the classes dapr-lint types are described as scripts/gen_sdk_table.py
describes the installed SDK. The newest line (the one src/dapr_lint/python/sdk_table.py describes) is read from
the installed SDK, so install it first (`pip install "dapr==1.19.*"`). For dapr-agents, the names
`dapr_agents` exports at each final tag (v0.1.0 and later).

tests/test_sdk_versions.py holds the committed file against the installed SDK (its newest release must equal
sdk_table.py) and checks the changes the rules rely on.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sdk_source  # noqa: E402

# Besides the classes of sdk_table.py: the ones whose members changed in ways rules speak of (actors, workflow
# runtime and context, the sidecar health helper, the Flask extension under its old name).
EXTRA_ROOTS = (
    "dapr.actor.Actor",
    "dapr.actor.ActorProxy",
    "dapr.actor.runtime.ActorRuntime",
    "dapr.ext.workflow.WorkflowRuntime",
    "dapr.ext.workflow.DaprWorkflowContext",
    "dapr.clients.health.DaprHealth",
    "flask_dapr.DaprActor",
    "flask_dapr.DaprApp",
    "dapr.ext.flask.DaprApp",
    "dapr.ext.fastapi.DaprApp",
)
ROOTS = sdk_source.ROOTS + EXTRA_ROOTS

_FINAL_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def _tags(git_dir: str, minimum: tuple[int, ...]) -> list[tuple[tuple[int, ...], str]]:
    out = subprocess.run(["git", f"--git-dir={git_dir}", "tag"], capture_output=True, text=True, check=True).stdout
    found = []
    for tag in out.split():
        match = _FINAL_TAG.match(tag)
        if match:
            version = tuple(int(part) for part in match.groups())
            if version >= minimum:
                found.append((version, tag))
    return sorted(found)


def _modules_at(git_dir: str, tag: str, wanted=sdk_source.module_name) -> dict[str, str]:
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", tag], capture_output=True, check=True
    ).stdout
    blobs: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, sha = meta.split()
        name = wanted(path.decode("utf-8", "replace"))
        if kind == b"blob" and name:
            blobs.append((sha.decode(), name))
    data = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
        capture_output=True,
        check=True,
    ).stdout
    modules: dict[str, str] = {}
    at = 0
    for _sha, name in blobs:
        newline = data.index(b"\n", at)
        header = data[at:newline].split()
        if header[-1] == b"missing":
            at = newline + 1
            continue
        size = int(header[2])
        modules[name] = data[newline + 1 : newline + 1 + size].decode("utf-8", "replace")
        at = newline + 1 + size + 1
    return modules


def _agents_module(path: str):
    return "dapr_agents" if path == "dapr_agents/__init__.py" else None


def _ranges(present: list[int]) -> tuple[tuple[int, int], ...]:
    """Sorted release indices -> (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for index in present:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return tuple(runs)


def _history(tables: list[dict]) -> dict[str, dict[str, tuple]]:
    """class -> member -> ((first, last, description), ...): consecutive releases with one description share a run."""
    history: dict[str, dict[str, list]] = {}
    for index, table in enumerate(tables):
        for cls, members in table.items():
            for name, description in members.items():
                runs = history.setdefault(cls, {}).setdefault(name, [])
                if runs and runs[-1][1] == index - 1 and runs[-1][2] == description:
                    runs[-1][1] = index
                else:
                    runs.append([index, index, description])
    return {
        cls: {name: tuple((first, last, description) for first, last, description in runs) for name, runs in sorted(members.items())}
        for cls, members in sorted(history.items())
    }


def _changed_defaults(tables: list[dict], defaults: list[dict]) -> dict:
    """The literal defaults of public members that differ between two releases where the parameter exists."""
    values: dict[tuple[str, str, str], list[tuple[int, object]]] = {}
    for index, (table, release_defaults) in enumerate(zip(tables, defaults)):
        for cls, members in table.items():
            for member, description in members.items():
                for param in description.get("params") or ():
                    value = release_defaults.get(cls, {}).get(member, {}).get(param, _NO_DEFAULT)
                    values.setdefault((cls, member, param), []).append((index, value))
    changed: dict[str, dict[str, dict[str, tuple]]] = {}
    for (cls, member, param), seen in sorted(values.items()):
        if len({repr(value) for _, value in seen}) < 2:
            continue
        runs: list[list] = []
        for index, value in seen:
            if runs and runs[-1][1] == index - 1 and runs[-1][2] == value:
                runs[-1][1] = index
            else:
                runs.append([index, index, value])
        kept = tuple((first, last, value) for first, last, value in runs if value is not _NO_DEFAULT)
        changed.setdefault(cls, {}).setdefault(member, {})[param] = kept
    return changed


_NO_DEFAULT = object()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk-git", required=True, help="the git directory of a clone of dapr/python-sdk")
    parser.add_argument("--agents-git", required=True, help="the git directory of a clone of dapr/dapr-agents")
    args = parser.parse_args()

    import dapr
    import dapr.version

    installed = tuple(int(part) for part in dapr.version.__version__.split(".")[:3])
    releases: list[str] = []
    tables: list[dict] = []
    defaults: list[dict] = []
    for version, tag in _tags(args.sdk_git, (1, 10, 0)):
        if version[:2] >= installed[:2]:
            continue  # the installed line is read from the installed SDK below
        releases.append(".".join(map(str, version)))
        release = sdk_source.Release(_modules_at(args.sdk_git, tag))
        tables.append(release.table(ROOTS))
        defaults.append({cls: release.defaults(cls) for cls in tables[-1]})
    site = Path(dapr.__file__).resolve().parent.parent
    releases.append(dapr.version.__version__)
    release = sdk_source.Release(sdk_source.modules_from_folder(site))
    tables.append(release.table(ROOTS))
    defaults.append({cls: release.defaults(cls) for cls in tables[-1]})

    agent_releases: list[str] = []
    exports: dict[str, list[int]] = {}
    for index, (version, tag) in enumerate(_tags(args.agents_git, (0, 1, 0))):
        agent_releases.append(".".join(map(str, version)))
        names = sdk_source.Release(_modules_at(args.agents_git, tag, _agents_module)).exports("dapr_agents")
        for name in names:
            exports.setdefault(name, []).append(index)

    out = sys.stdout
    out.write('"""What each Dapr Python SDK release offers, generated by scripts/gen_sdk_versions.py. Do not edit by hand.\n\n')
    out.write("RELEASES: the SDK releases described, oldest first (final tags; the newest line read from the installed\n")
    out.write("SDK). HISTORY: class path -> member name -> runs (first, last, description) of release indices over which\n")
    out.write("the member existed with that description ({kind, params (None: accepts **kwargs), is_async, returns}, as in\n")
    out.write("sdk_table.py). AGENT_RELEASES / AGENT_EXPORTS: the names `dapr_agents` exports, as runs of release indices.\n")
    out.write('"""\n\n')
    out.write(f"RELEASES: tuple[str, ...] = {tuple(releases)!r}\n\n")
    out.write("HISTORY: dict[str, dict[str, tuple[tuple[int, int, dict], ...]]] = {\n")
    for cls, members in _history(tables).items():
        out.write(f"    {cls!r}: {{\n")
        for name, runs in members.items():
            out.write(f"        {name!r}: {runs!r},\n")
        out.write("    },\n")
    out.write("}\n\n")
    out.write("# class path -> member -> parameter -> runs (first, last, literal default): only the defaults that changed\n")
    out.write("DEFAULTS: dict[str, dict[str, dict[str, tuple[tuple[int, int, object], ...]]]] = {\n")
    for cls, members in _changed_defaults(tables, defaults).items():
        out.write(f"    {cls!r}: {members!r},\n")
    out.write("}\n\n")
    out.write(f"AGENT_RELEASES: tuple[str, ...] = {tuple(agent_releases)!r}\n\n")
    out.write("AGENT_EXPORTS: dict[str, tuple[tuple[int, int], ...]] = {\n")
    for name in sorted(exports):
        out.write(f"    {name!r}: {_ranges(exports[name])!r},\n")
    out.write("}\n")


if __name__ == "__main__":
    main()
