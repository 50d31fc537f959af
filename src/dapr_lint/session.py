"""What the front ends share: the command line (cli.py), the language server (server.py), the editor helpers
(editor.py) and the flake8 plugin check files with `check_files` and show a rule's page with `rule_doc`. The CLI
starts the server; neither the server nor the editor helpers import the CLI."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Optional, Sequence

from dapr_lint.config import Config, Resolver
from dapr_lint.roots import run_root


def check_files(
    files,
    resolver: Resolver,
    jobs: Optional[int] = None,
    cache: bool = False,
    cache_dir: Optional[Path] = None,
    named: Optional[Sequence[Path]] = None,
):
    """Check files, each with its own effective settings. Files that share a configuration form one
    project (one project stage, one cache at that configuration's folder), as a folder with its own
    pyproject.toml is its own project. `named`: the paths the user gave (the run's root is found from them,
    dapr_lint.roots); None: the files themselves were named (an editor buffer, flake8's file list)."""
    # here, not at the top: the CLI imports this module, and `dapr-lint --version` or `rules` need no engine
    from dapr_lint.engine.run import run
    from dapr_lint.files import repository_files

    root = run_root(list(named) if named else [f.path for f in files])
    # with no repository marker, the project is what was named (every file of the run), nothing around it
    everything = None if root.marked else sorted(files, key=lambda f: str(f.path))
    groups: dict[int, tuple] = {}
    folder_configs: dict[str, Config] = {}  # a folder's files share their configuration: asked once per folder
    for f in files:
        folder = os.path.dirname(os.path.abspath(f.path))
        config = folder_configs.get(folder)
        if config is None:
            config = folder_configs[folder] = resolver.config_for(f.path)
        groups.setdefault(id(config), (config, []))[1].append(f)
    results = []
    for config, members in groups.values():
        settings = replace(resolver.settings_of(config), root=root)
        # a folder's files share their pin: asked once per folder, not once per file
        by_folder = {(os.path.dirname(f.path), f.display): f for f in members if f.kind == "python"}
        pins = {_shown_folder(f): resolver.sdk_for(f.path) for f in by_folder.values()}
        if any(pin is not None for pin in pins.values()):
            settings = replace(settings, sdk_by_folder=pins)
        store = None
        if cache:
            from dapr_lint.cache import Cache, cache_dir_for

            store = Cache(cache_dir_for(config.root, cache_dir), settings)
        results.extend(
            run(
                members,
                settings,
                jobs=jobs,
                ignored_for=config.ignored_for,
                cache=store,
                universe=everything if everything is not None else repository_files(members, resolver.config_for, root),
            )
        )
    return results



def _shown_folder(f) -> str:
    """The folder of a file as the engine displays it (FileTask.display), the key of Settings.sdk_by_folder."""
    from dapr_lint.files import display_path

    return (f.display or display_path(f.path)).replace("\\", "/").rpartition("/")[0]


def rule_doc(code: str) -> Optional[str]:
    """The Markdown page of a rule (generated whole from its spec, scripts/gen_rule_docs.py): packaged with the
    wheel, or read from docs/rules in a checkout."""
    from importlib import resources

    name = f"{code}.md"
    try:
        packaged = resources.files("dapr_lint").joinpath("rule_docs").joinpath(name)
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "docs" / "rules" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return None
