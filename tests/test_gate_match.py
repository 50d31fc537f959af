"""The first pass over `match` statements: the walk reads them as the model does (a capture binds nothing, it is a
read of the name), and opens where that read could count."""

from __future__ import annotations

import pytest
from test_gate import assert_closes_clean, assert_opens, assert_opens_for

# A module the first pass reads (it names the SDK), whose match statement captures fresh names.
_CLOSES = {
    "class and mapping patterns": (
        b"import logging\nfrom dapr.conf import settings\n\nlog = logging.getLogger(__name__)\n\n\n"
        b"def describe(event):\n    match event:\n        case {'type': 'order', 'id': order_id, **rest}:\n"
        b"            log.info('order %s %s', order_id, rest)\n"
        b"        case [first, *others]:\n            return first, others\n"
        b"        case str() as text if text:\n            return text.upper()\n"
        b"        case _:\n            return settings.DAPR_RUNTIME_HOST\n"
    ),
    "a coroutine matching on a value": (
        b"import asyncio\nfrom dapr.conf import settings\n\n\nasync def wait(kind):\n    match kind:\n"
        b"        case 'slow':\n            await asyncio.sleep(1)\n        case other:\n"
        b"            print(other, settings.DAPR_HTTP_PORT)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(_CLOSES))
def test_a_match_capturing_fresh_names_closes(name, monkeypatch):
    summary = assert_closes_clean(_CLOSES[name], monkeypatch)
    assert summary.defs


# A captured name bound elsewhere in the file: the model counts the capture as a read of that name.
_OPENS = {
    "a capture named as a variable": (
        b"from dapr.conf import settings\n\n\ndef f(event):\n    rest = settings.DAPR_HTTP_PORT\n"
        b"    match event:\n        case {'a': 1, **rest}:\n            return rest\n"
    ),
    "a capture named as a function": (
        b"from dapr.conf import settings\n\n\nasync def later():\n    return settings.DAPR_HTTP_PORT\n\n\n"
        b"def f(event):\n    match event:\n        case [later]:\n            return later\n"
    ),
    "a capture named as an import": (
        b"import json\nfrom dapr.conf import settings\n\n\ndef f(event):\n    match event:\n"
        b"        case {'body': json}:\n            return json, settings\n"
    ),
    "a capture named as a parameter": (
        b"from dapr.conf import settings\n\n\ndef f(event, value):\n    match event:\n"
        b"        case [value, *_]:\n            return value, settings\n"
    ),
}


@pytest.mark.parametrize("name", sorted(_OPENS))
def test_a_match_capturing_a_name_bound_elsewhere_opens(name, monkeypatch):
    assert_opens(_OPENS[name], monkeypatch)


def test_a_finding_inside_a_case_still_opens(monkeypatch):
    source = (
        b"from dapr.clients import DaprClient\n\n\nasync def f(kind):\n    match kind:\n        case 'save':\n"
        b"            with DaprClient() as client:\n                client.save_state('store', 'k', 'v')\n"
    )
    assert_opens_for(source, "DPR101", monkeypatch)
