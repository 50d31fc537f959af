"""The model's vocabularies: the closed sets of words its records use, as types mypy checks."""

from __future__ import annotations

from typing import Literal

# What a Handler is: who calls the function, and how.
HandlerKind = Literal[
    "route", "subscription", "grpc_method", "grpc_subscription", "grpc_binding", "grpc_job", "workflow", "activity"
]

# The framework (or Dapr extension) a Handler is registered with. `programmatic-*`: a route that the app's
# /dapr/subscribe answer (or the project stage, ModuleModel.subscriber_functions) names as a subscriber.
Framework = Literal[
    "fastapi", "starlette", "flask", "dapr-fastapi", "dapr-flask", "dapr-grpc", "workflow", "unknown",
    "programmatic-fastapi", "programmatic-starlette", "programmatic-flask",
]

# The syntactic place a call sits in (CallSite.context).
CallContext = Literal["stmt", "await", "return", "yield", "arg", "assign", "attr", "with", "async_with", "other"]
