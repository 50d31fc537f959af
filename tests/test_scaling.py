"""Work that grows with the input grows linearly: the Go-template scan of YAML, and the application model over
run-template apps, Kubernetes workloads and entry modules.

Time is never asserted in seconds (the suite shares a loaded machine): growth is compared between two sizes of
the same shape, best of three. Four times the input: linear is about 4x, quadratic 16x."""

from __future__ import annotations

import gc

import pytest

from conftest import best_of
from dapr_lint.project.apps import AppModel
from dapr_lint.resources.summary import resource_summary
from dapr_lint.resources.templates import has_template, strip_templates, template_spans
from dapr_lint.summaries import ComponentFact, Located, ModuleSummary, ResourceSummary, RunApp, Span, Workload

# subprocess runs and timing: part of the whole suite, not of the fast loop
pytestmark = pytest.mark.slow

ROOT = "/nonexistent-repository"
SPAN = Span()
STORE = ResourceSummary(
    path="components/statestore.yaml",
    file=f"{ROOT}/components/statestore.yaml",
    components=(ComponentFact("statestore", "state.redis", (), None, SPAN),),
)


def _growth(small, large) -> float:
    """Time ratio of the large input to the small one, with the cyclic GC paused: in the whole suite the heap other
    tests leave makes collections during the large build cost more than the algorithm (13x seen, 5x alone)."""
    gc.collect()
    gc.disable()
    try:
        return best_of(3, large) / best_of(3, small)
    finally:
        gc.enable()


# -- Go templates ----------------------------------------------------------------------------------------------


def test_template_scan_matches_each_open_with_the_next_close():
    text = "a: {{ .x }}\nb: {{- .y -}} c\n{{ unclosed"
    assert [text[s:e] for s, e in template_spans(text)] == ["{{ .x }}", "{{- .y -}}"]
    assert strip_templates(text) == "a: \nb:  c\n{{ unclosed"
    assert has_template("{{}}") and not has_template("{{ no end") and not has_template("}} {{")
    assert strip_templates("plain: yaml\n") == "plain: yaml\n"


@pytest.mark.parametrize("closed", [False, True], ids=["unclosed", "closed"])
def test_the_summary_of_templated_yaml_is_linear(closed):
    def document(count: int) -> bytes:
        head = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: store\n"
        if closed:  # a Helm chart's manifest: one template a line
            return (head + "".join(f"# k{i}: {{{{ .Values.v{i} }}}}\n" for i in range(count))).encode()
        return (head + "# " + "{{" * count + "\n").encode()  # 2 bytes each: 30,000 is the 60 KB

    small, large = document(7_500), document(30_000)
    assert resource_summary(f"{ROOT}/c.yaml", large) is not None or not closed
    assert _growth(lambda: resource_summary(f"{ROOT}/c.yaml", small), lambda: resource_summary(f"{ROOT}/c.yaml", large)) < 10


# -- the application model -------------------------------------------------------------------------------------


def _module(path: str) -> ModuleSummary:
    return ModuleSummary(path=path[len(ROOT) + 1 :], file=path, uses_dapr=True, entry=True)


def _run_template_apps(count: int) -> AppModel:
    apps = tuple(
        RunApp(f"svc{i}", f"{ROOT}/svc{i}", (f"{ROOT}/components",), None, 8000 + i, SPAN, entry=f"{ROOT}/svc{i}/app.py")
        for i in range(count)
    )
    template = ResourceSummary(path="dapr.yaml", file=f"{ROOT}/dapr.yaml", run_apps=apps)
    return AppModel(ROOT, [_module(f"{ROOT}/svc{i}/app.py") for i in range(count)], [STORE, template])


def _workloads(count: int) -> AppModel:
    manifests = [
        ResourceSummary(
            path=f"deploy/m{f}.yaml",
            file=f"{ROOT}/deploy/m{f}.yaml",
            workloads=tuple(Workload(f"w{f}-{i}", f"w{f}-{i}", (Located("/health", SPAN),), None, SPAN) for i in range(100)),
            kubernetes=True,
        )
        for f in range(count // 100)
    ]
    # a few apps found from code, which every workload is matched against
    modules = [_module(f"{ROOT}/app{i}/main.py") for i in range(50)]
    return AppModel(ROOT, modules, [STORE, *manifests])


def _entry_modules(count: int) -> AppModel:
    return AppModel(ROOT, [_module(f"{ROOT}/pkg{i // 100}/svc{i}/main.py") for i in range(count)], [STORE])


@pytest.mark.parametrize(
    "build, small",
    [(_run_template_apps, 500), (_workloads, 2_000), (_entry_modules, 500)],
    ids=["run-template-apps", "kubernetes-workloads", "entry-modules"],
)
def test_the_application_model_is_linear(build, small):
    model = build(small * 4)
    assert len(model.apps) >= small * 4
    assert all(model.loaders(STORE.file) or not app.resource_sets for app in model.apps)
    assert _growth(lambda: build(small), lambda: build(small * 4)) < 10


def test_the_indexed_model_assigns_as_before():
    """Nested app folders, two entries in one folder, a workload matched by folder name and one by app ID."""
    modules = [
        _module(f"{ROOT}/shop/app.py"),
        ModuleSummary(path="shop/lib.py", file=f"{ROOT}/shop/lib.py"),
        _module(f"{ROOT}/shop/admin/app.py"),
        _module(f"{ROOT}/orders/main.py"),
        _module(f"{ROOT}/orders/worker.py"),
    ]
    manifest = ResourceSummary(
        path="orders/k8s.yaml",
        file=f"{ROOT}/orders/k8s.yaml",
        workloads=(Workload("shop", "shop", (), None, SPAN),),
        kubernetes=True,
    )
    model = AppModel(ROOT, modules, [STORE, manifest])
    by_entry = {tuple(a.entries): a for a in model.apps if a.entries}
    assert by_entry[(f"{ROOT}/shop/app.py",)].modules == [f"{ROOT}/shop/app.py", f"{ROOT}/shop/lib.py"]
    assert by_entry[(f"{ROOT}/shop/admin/app.py",)].modules == [f"{ROOT}/shop/admin/app.py"]
    assert by_entry[(f"{ROOT}/shop/app.py",)].app_id == "shop"  # the workload, by the app folder's name
    assert {a.key for a in model.apps} >= {"shop", "orders/main.py", "orders/worker.py"}
