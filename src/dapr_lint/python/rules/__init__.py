"""Python rules: one module per rule family, each rule a function of the ModuleModel registered with
`@dapr_lint.registry.rule(spec)`.

A check is `check(model, report) -> Iterable[Finding]`: `report(node, message, fix=Fix(title, build))` is bound
to the rule's code (`build` makes the edits, only when the fix is applied: diagnostics.Fix) and takes the fix's safety from the spec (see dapr_lint.registry.Reporter). A rule knows
nothing about files, output formats or configuration beyond `model.options`; the engine runs the enabled ones
once per module. dapr_lint.catalog imports every module of this package.
"""
