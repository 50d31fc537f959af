"""What the model knows an expression evaluates to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from dapr_lint.python.model.records import ClassInfo, FunctionInfo

# --------------------------------------------------------------------------------------------------
# Values: what the model knows an expression evaluates to.
# --------------------------------------------------------------------------------------------------


class Value:
    """Base of the small value lattice; UNKNOWN is the top."""

    __slots__ = ()


class _Unknown(Value):
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Value = _Unknown()


@dataclass(frozen=True)
class Ref(Value):
    """A reference to an imported, fully qualified name (a module, class or function elsewhere)."""

    path: str


@dataclass(frozen=True, eq=False)
class ClassRef(Value):
    """A class defined in this module."""

    info: "ClassInfo"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassRef) and other.info is self.info

    def __hash__(self) -> int:
        return id(self.info)


@dataclass(frozen=True, eq=False)
class FunctionRef(Value):
    """A function defined in this module (or a method reached through an instance of a local class)."""

    info: "FunctionInfo"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunctionRef) and other.info is self.info

    def __hash__(self) -> int:
        return id(self.info)


@dataclass(frozen=True)
class Instance(Value):
    """An instance of a class: an SDK or framework class by path, or a local class (`local` set)."""

    path: str
    local: Optional["ClassInfo"] = field(default=None, compare=False)


@dataclass(frozen=True)
class SdkMethod(Value):
    """A bound method of an SDK class from the generated member table."""

    owner: str
    name: str


@dataclass(frozen=True)
class Coroutine(Value):
    """The un-awaited result of calling a coroutine function."""

    result: Value


@dataclass(frozen=True)
class ContextManager(Value):
    """The result of calling a @contextmanager / @asynccontextmanager helper; entering yields `result`."""

    result: Value


@dataclass(frozen=True)
class Const(Value):
    """A literal str, bytes, int, float, bool or None (module and class constants resolve to these)."""

    value: Any


def constant_string(value: Value) -> Optional[str]:
    """The text of a value known to be one str (a literal or a constant), else None."""
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else None


@dataclass(frozen=True)
class Kind(Value):
    """A value whose Python type is known but not its content: "dict", "list", "tuple", "set", "str",
    "bytes".

    `origin` says where it came from when that matters to a rule ("literal", "json.dumps",
    "model_dump", "model_dump_json", "pydantic.dict", "call"); it takes no part in equality, so joins
    of the same kind from different sources stay that kind."""

    kind: str
    origin: Optional[str] = field(default=None, compare=False)
