"""YAML rules with a check of their own, one module a rule (or a family of small rules sharing their code).

A module registers its spec and check together, `@rule(RuleSpec(..., target="yaml"))` on
`def check(document: ResourceDocument, report: Reporter) -> Iterator[Finding]`; dapr_lint.catalog imports every
module of this package, and resources.FileCheck runs each enabled check on every document of a file. Nothing
else lists them."""
