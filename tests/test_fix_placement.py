"""Where a fix's new import goes: beside the import it replaces (inside the same `try: ... except ImportError:`
guard), in its group of the module's header otherwise; and the import the fix made useless is dropped."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from conftest import write

from dapr_lint.cli import main
from dapr_lint.python.edits import ImportSpec, add_imports

AIO = ImportSpec("dapr.aio.clients", "DaprClient", "AsyncDaprClient")


@pytest.mark.parametrize(
    "source, spec, expected",
    [
        (  # beside the import of the same package, inside its guard
            "try:\n    from dapr.clients import DaprClient\nexcept ImportError:\n    DaprClient = None\nimport os\n",
            AIO,
            "try:\n    from dapr.clients import DaprClient\n    from dapr.aio.clients import DaprClient as AsyncDaprClient\n"
            "except ImportError:\n    DaprClient = None\nimport os\n",
        ),
        (  # a third-party import ends the third-party group, not the first-party one after it
            "import logging\n\nfrom dapr.clients import X\nfrom fastapi import Y\n\nfrom myapp import z\n",
            ImportSpec("grpc"),
            "import logging\n\nfrom dapr.clients import X\nfrom fastapi import Y\nimport grpc\n\nfrom myapp import z\n",
        ),
        (  # a standard-library import joins the standard-library group
            "import os\n\nimport fastapi\n",
            ImportSpec("sys"),
            "import os\nimport sys\n\nimport fastapi\n",
        ),
        (  # the first third-party import of its group heads it, after the blank line
            "import os\n\nimport fastapi\n",
            ImportSpec("cloudevents.pydantic", "CloudEvent", "PydanticCloudEvent"),
            "import os\n\nfrom cloudevents.pydantic import CloudEvent as PydanticCloudEvent\nimport fastapi\n",
        ),
    ],
)
def test_a_new_import_goes_where_the_project_keeps_it(source, spec, expected):
    assert add_imports(cst.parse_module(source), [spec]).code == expected


GUARDED = textwrap.dedent(
    """\
    import logging

    try:
        from dapr.clients import DaprClient
    except ImportError:  # the service also runs without the SDK (tests)
        DaprClient = None

    logger = logging.getLogger(__name__)


    async def handler(key: str):
        with DaprClient() as client:
            return client.get_state("statestore", key).data
    """
)


def test_the_fix_keeps_the_guard_and_leaves_no_unused_import(project):
    path = write(project, "svc.py", GUARDED)
    main(["check", "svc.py", "--select", "DPR101", "--fix", "--unsafe-fixes", "--no-cache"])
    fixed = path.read_text(encoding="utf-8")
    assert fixed.startswith(
        "import logging\n\ntry:\n    from dapr.aio.clients import DaprClient as AsyncDaprClient\nexcept ImportError:"
    ), fixed
    assert "async with AsyncDaprClient() as client:" in fixed
    assert "from dapr.clients import DaprClient\n" not in fixed  # nothing uses it any more
    compile(fixed, "svc.py", "exec")
