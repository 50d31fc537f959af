"""The complete list of rules: importing this module imports every module that registers rules.

Python rule families register their specs where their checks are, in the modules of python/rules/ (found here by
listing the package, so a new family module needs no line here); resource-file rules (DPR5xx) beside their checks
in the modules of the resources package (resources/rules/, the kind modules, schema.py: importing
`dapr_lint.resources` imports them all); the rules across code and resources (DPR6xx) in project/rules.py. Code
that runs rules imports it (the engine's Python and project stages); code that only selects, lists or reports rules asks
specs.py, which imports it unless a saved catalog was preloaded.
"""

import importlib
import pkgutil

from dapr_lint import registry
from dapr_lint import resources as _resources  # noqa: F401  (registers DPR5xx)
from dapr_lint.project import rules as _project_rules  # noqa: F401  (registers DPR601-DPR609)
from dapr_lint.python import rules as _python_rules

for _module in pkgutil.iter_modules(_python_rules.__path__, _python_rules.__name__ + "."):
    importlib.import_module(_module.name)

registry.mark_complete()
