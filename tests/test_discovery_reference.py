"""Discovery, file identity and SDK pins computed the fast way (once per folder, per name, per configuration)
equal a straightforward reference that asks every file everything: same files, same exclusions, same links,
same pins."""

from __future__ import annotations

import os
from pathlib import Path
import pytest

from dapr_lint.config import NO_FIX, Resolver, forget_real_folders, glob_match, real_path, relative_posix
from dapr_lint.files import Skipped, _Walker, discover, kind_of, repository_files
from dapr_lint.python import dependencies
from dapr_lint.python.sdk_releases import agents_range, exact_pin, pin_from, unpinned


def write(root: Path, name: str, text: str = "x = 1\n") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- exclusions -------------------------------------------------------------------------------------------


def reference_excluded(candidate: Path, base: Path, root: Path, patterns: list[str]) -> bool:
    """Every pattern matched against every file, as discovery first did."""
    rel = relative_posix(candidate, root)
    base_rel = relative_posix(base, root)
    if rel is None or base_rel is None:
        rel = os.path.relpath(os.path.abspath(candidate), os.path.abspath(base)).replace(os.sep, "/")
        base_rel = ""
    for pattern in patterns:
        if "/" in pattern.strip().strip("/"):
            if glob_match(pattern, rel) and not (base_rel and glob_match(pattern, base_rel)):
                return True
        else:
            below = rel[len(base_rel) + 1 :] if base_rel and base_rel != "." else rel
            if glob_match(pattern, below):
                return True
    return False


def reference_discover(folder: Path) -> list[str]:
    resolver = Resolver()  # a fresh one: nothing remembered from the run under test
    kept = []
    for _directory, candidate, _relative, _kind, _is_link in _Walker(lambda _m: None, Skipped()).files_under(folder):
        config = resolver.config_for(candidate)
        if not reference_excluded(candidate, folder, config.root, config.exclude_patterns):
            kept.append(str(candidate))
    return sorted(kept)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    write(
        root,
        "pyproject.toml",
        "[tool.dapr-lint]\n"
        'extend-exclude = ["gen", "svc/legacy", "/top.py", "*_pb2.py", "./dot", "docs/**/old_*.py", "[ab]uild2", '
        '" spaced/ ", "svc/**"]\n',
    )
    for name in (
        "app.py", "top.py", "sub/top.py", "gen/x.py", "sub/gen/y.py", "svc/legacy/z.py", "svc/legacy_not/z.py",
        "svcs/legacy/z.py", "api_pb2.py", "sub/api_pb2.py", "dot/a.py", "sub/dot/a.py", "docs/v1/old_a.py",
        "docs/old_b.py", "docs/v1/new.py", "build/a.py", "sub/build/b.py", "my.egg-info/x.py", "auild2/a.py",
        "spaced/s.py", "components/state.yaml", "requirements.txt", "__init__.py", "sub/__init__.py",
        "nested/keep.py", "nested/skip_me.py", "nested/build/b.py", "nested/gen/c.py", "nested/deep/skip/d.py",
    ):
        write(root, name)
    # a folder with its own configuration: its `exclude` replaces the defaults for the files below it
    write(root, "nested/pyproject.toml", '[tool.dapr-lint]\nexclude = ["skip*", "deep/**"]\n')
    outside = write(tmp_path, "outside/shared.py")
    (root / "link_file.py").symlink_to(outside)  # a module shared between services: kept, under its link
    (root / "sub" / "twin.py").symlink_to(root / "app.py")  # the same file twice: checked once
    (root / "linkdir").symlink_to(root / "sub")  # a folder link: not followed
    (tmp_path / "alias").symlink_to(root / "sub")  # a folder argument that is a link
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("named", [".", "sub", "gen", "svc", "nested", "nested/deep", "docs", "../alias", "{root}", "{root}/sub"])
def test_discovery_keeps_what_every_pattern_on_every_file_keeps(tree, named):
    folder = Path(named.format(root=tree))
    found = discover([folder], Resolver().config_for)
    reference = reference_discover(folder)
    # every walked file the reference keeps is found (a file reached twice is found once, under its plain path)
    assert {real_path(f.path) for f in found} == {os.path.realpath(p) for p in reference}
    assert {str(f.path) for f in found} <= set(reference)


def test_the_fixture_tree_exercises_every_kind_of_pattern(tree):
    found = {str(f.path) for f in discover([Path(".")], Resolver().config_for)}
    assert "app.py" in found and "link_file.py" in found and "nested/build/b.py" in found
    excluded = {"top.py", "gen/x.py", "sub/gen/y.py", "svc/legacy_not/z.py", "api_pb2.py", "dot/a.py",
                "docs/v1/old_a.py", "build/a.py", "my.egg-info/x.py", "auild2/a.py", "spaced/s.py",
                "nested/skip_me.py", "nested/deep/skip/d.py", "sub/dot/a.py", "docs/old_b.py", "sub/build/b.py"}
    assert not excluded & found
    # `/top.py` is anchored, `svc/legacy` is a path, and below `nested` its own `exclude` replaces the defaults
    assert {"sub/top.py", "svcs/legacy/z.py", "docs/v1/new.py", "nested/gen/c.py", "nested/build/b.py"} <= found
    # the folder named is never excluded itself, only what lies below it
    assert {str(f.path) for f in discover([Path("gen")], Resolver().config_for)} == {"gen/x.py"}


def test_the_project_files_are_the_discovered_ones_by_real_path(tree):
    files = discover([Path("sub")], Resolver().config_for)
    universe = repository_files(files, Resolver().config_for)
    assert {real_path(f.path) for f in universe} == {
        os.path.realpath(p) for p in reference_discover(tree) if kind_of(Path(p)) != "dependencies"
    }


def test_test_code_and_forced_excludes_match_every_pattern(tree):
    resolver = Resolver()
    config = resolver.config_for(tree / "app.py")
    config.test_paths = ["tests", "test_*.py", "*_test.py", "conftest.py", "sub/gen", "/top.py", "[st]ub", "d?cs/**"]
    for path in reference_discover(Path(".")):
        rel = relative_posix(Path(path), config.root)
        in_test_code = any(glob_match(pattern, rel) for pattern in config.test_paths)
        assert (NO_FIX in config.ignored_for(Path(path))) == in_test_code, path
    named = [Path(p) for p in ("app.py", "top.py", "sub/top.py", "gen/x.py", "sub/api_pb2.py", "docs/v1/new.py", "spaced/s.py")]
    kept = {str(f.path) for f in discover(named, resolver.config_for, force_exclude=True)}
    patterns = config.exclude_patterns
    assert kept == {str(p) for p in named if not any(glob_match(q, relative_posix(p, config.root)) for q in patterns)}
    assert kept == {"app.py", "sub/top.py", "docs/v1/new.py"}


# -- a file's real path --------------------------------------------------------------------------------


def test_real_path_is_realpath(tmp_path, monkeypatch):
    real = write(tmp_path, "real/dir/file.py")
    write(tmp_path, "real/other.py")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "dir" / "up.py").symlink_to("../other.py")
    (tmp_path / "real" / "dir" / "loop.py").symlink_to("loop.py")
    (tmp_path / "real" / "dir" / "broken.py").symlink_to("nowhere.py")
    (tmp_path / "real" / "dir" / "sub").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "link" / "dir")
    paths = [
        real, tmp_path / "link/dir/file.py", tmp_path / "link/dir/up.py", tmp_path / "link/dir/loop.py",
        tmp_path / "link/dir/broken.py", tmp_path / "link/dir/missing.py", tmp_path / "link/dir/sub/dir/file.py",
        tmp_path / "link/dir/sub/../other.py", tmp_path / "link/./dir//file.py", tmp_path / "link/dir/", "file.py",
        "./up.py", "sub/other.py", "../dir/file.py", "sub/../real/other.py", ".", "/", Path("file.py"),
    ]
    forget_real_folders()
    for path in paths:
        assert real_path(path) == os.path.realpath(path), path


# -- SDK pins ------------------------------------------------------------------------------------------


def reference_pin_in(folder: Path, label: str, within: Path):
    """A folder's dapr pin and dapr-agents range, every file read by name, as the pins were first read."""
    read = dependencies.read_text
    dapr = agents = None
    for lock in dependencies.LOCK_FILES:
        text = read(folder / lock, within)
        version = dependencies.locked_version(lock, text) if text is not None else None
        if version is not None:
            dapr = exact_pin(version, f"{label}{lock}")
            break
    names = sorted(entry.name for entry in folder.iterdir())
    if dapr is None:
        ordered = [n for n in names if n == "requirements.txt"] + [n for n in dependencies.MANIFEST_FILES if n in names]
        ordered += [n for n in names if dependencies.REQUIREMENT_FILE.match(n) and n not in ordered]
        for name in ordered:
            text = read(folder / name, within)
            found = [r for r in dependencies.requirements_of(name, text) if r.name == "dapr"] if text is not None else []
            if found:
                dapr = pin_from(found[0].specifier, f"{label}{name}:{found[0].line}")
                break
    for lock in dependencies.LOCK_FILES:
        text = read(folder / lock, within)
        version = dependencies.locked_version(lock, text, "dapr-agents") if text is not None else None
        if version is not None:
            return dapr, agents_range(None, version, f"{label}{lock}")
    for name in [n for n in names if n in dependencies.MANIFEST_FILES or dependencies.REQUIREMENT_FILE.match(n)]:
        text = read(folder / name, within)
        found = [r for r in dependencies.requirements_of(name, text) if r.name == "dapr-agents"] if text is not None else []
        if found:
            return dapr, agents_range(found[0].specifier, None, f"{label}{name}:{found[0].line}")
    return dapr, agents


def reference_pin(start: Path, stop: Path):
    dapr = agents = None
    for folder in (start, *start.parents):
        relative = folder.relative_to(stop).as_posix()
        here_dapr, here_agents = reference_pin_in(folder, "" if relative == "." else relative + "/", stop)
        dapr, agents = dapr or here_dapr, agents or here_agents
        if (dapr is not None and agents is not None) or folder == stop:
            break
    if agents is not None:
        from dataclasses import replace

        return replace(dapr or unpinned(), agents=agents)
    return dapr


def test_pins_equal_the_reference_in_every_folder(tmp_path):
    repo = tmp_path / "repo"
    write(repo, "requirements.txt", "flask\ndapr>=1.14,<1.16\n")
    write(repo, "uv.lock", '[[package]]\nname = "grpcio"\nversion = "1.70.0"\n')  # a lock without dapr
    write(repo, "a/pyproject.toml", '[project]\nname = "a"\ndependencies = ["dapr-agents>=0.5"]\n')
    write(repo, "b/Pipfile", '[packages]\ndapr = "*"\n')
    write(repo, "b/Pipfile.lock", '{"default": {"dapr": {"version": "==1.15.1"}}}')
    write(repo, "c/requirements.txt", "requests\n")
    write(repo, "c/dev-requirements.txt", "dapr==1.15.1\ndapr-agents==0.9.0\n")
    write(repo, "d/poetry.lock", '[[package]]\nname = "dapr"\nversion = "1.16.0"\n')
    write(repo, "d/e/setup.cfg", "[options]\ninstall_requires =\n    dapr-agents\n")
    write(repo, "f/requirements.txt/inner.py")  # a folder named like a requirements file
    write(repo, "g/real.lock", '[[package]]\nname = "dapr"\nversion = "1.12.0"\n')
    (repo / "g" / "uv.lock").symlink_to(repo / "g" / "real.lock")  # a link is not read
    write(repo, "h/requirements-dev.in", "dapr ~= 1.15.0\n")
    write(repo, "h/pyproject.toml", '[project]\nname = "h"\ndependencies = ["dapr>=1.13"]\n')
    folders = [repo, *(p for p in sorted(repo.rglob("*")) if p.is_dir())]
    memo: dependencies.FolderPins = {}
    pins = {}
    for folder in folders:
        pins[folder] = dependencies.pin_for(folder, repo, memo)
        assert pins[folder] == reference_pin(folder, repo), folder
    assert len({repr(pin) for pin in pins.values()}) >= 6  # the tree says different things in different folders


@pytest.mark.parametrize(
    "text",
    [
        '[[package]]\nname = "dapr"\nversion = "1.16.0"\n\n[[package]]\r\nname = "dapr-agents"\r\nversion = "0.9.0"\r\n',
        'x[[package]]\nname = "a"\nversion = "1"\n[[package]]\nname = "b"\nversion = "2"\n',  # not at a line start
        '[[package]]\nname = "a\n[[package]]\nname = "b"\nversion = "2"\n"\nversion = "1"\n',  # a header inside a name
        '[[package]][[package]]\nname = "c"\nversion = "3"\n[[package]] \t\nname = "d" \nversion = "4"',
        '[[package]]\nversion = "1"\nname = "e"\n', "", "[[package]]", "\n[[package]]\n",
    ],
)
def test_lock_tables_found_by_header_are_the_patterns_matches(text):
    expected = [(m.span(), m.groups()) for m in dependencies._LOCKED_PACKAGE.finditer(text)]
    assert [(m.span(), m.groups()) for m in dependencies._locked_packages(text)] == expected
