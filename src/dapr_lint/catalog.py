"""Every rule spec, imported once by registry._load_all().

Python rule families register their specs in their own modules under python/rules/; resource-file rules
under resources/. This module only imports them, so the catalog is complete whatever the caller needed.
"""

from dapr_lint.python.rules import clients, errors, payloads, practices, service, workflows  # noqa: F401
from dapr_lint import project as _project  # noqa: F401  (registers DPR601-DPR609)

try:  # resource-file rules (DPR5xx) ship with the resources package
    from dapr_lint.resources import catalog as _resources_catalog  # noqa: F401
except ModuleNotFoundError as exc:  # pragma: no cover - only while that package does not exist
    if exc.name not in ("dapr_lint.resources", "dapr_lint.resources.catalog"):
        raise
