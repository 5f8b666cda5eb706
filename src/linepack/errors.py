"""The exception hierarchy of linepack.

Every message names the component, the field, the value and the fix, for example
``pipe P17: inner_diameter_mm must be > 0 (got -0.5); give the pipe's inner diameter in millimetres``.
"""

from __future__ import annotations


class LinepackError(Exception):
    """Base class of every error linepack raises on purpose."""


class InputError(LinepackError, ValueError):
    """A file, a component or an argument is invalid.

    ``problems`` holds one message per problem found, so a user can fix them all at once.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class TopologyError(InputError):
    """The network graph cannot be solved as described (islands, dangling references)."""


class ConvergenceError(LinepackError):
    """The numerical solver did not converge; ``diagnosis`` lists what was found wrong."""

    def __init__(self, message: str, diagnosis: list[str] | None = None) -> None:
        self.diagnosis: list[str] = list(diagnosis or [])
        text = message if not self.diagnosis else message + "\n" + "\n".join(f"- {d}" for d in self.diagnosis)
        super().__init__(text)


class InfeasibleError(ConvergenceError):
    """The case has no physical solution (for example demand above supply capacity)."""
