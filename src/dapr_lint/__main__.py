from dapr_lint.cli import console

console()
