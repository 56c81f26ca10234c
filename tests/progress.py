"""A :class:`geo.kernel.progress.Progress` that remembers every call, and checks them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Recorder:
    """Records ``(step, done, total, unit)`` calls in order."""

    calls: list[tuple[str, int, int | None, str]] = field(default_factory=list)

    def __call__(self, step: str, done: int, total: int | None, unit: str) -> None:
        self.calls.append((step, done, total, unit))

    def counts(self, step: str) -> list[int]:
        """The ``done`` of each call of ``step``."""
        return [done for name, done, _, _ in self.calls if name == step]

    def finished(self) -> dict[str, tuple[int, str]]:
        """Each step's final count and unit, once checked: its counts never go back, stay within
        the total, keep one unit, and the last call reaches the total."""
        steps: dict[str, list[tuple[int, int | None, str]]] = {}
        for step, done, total, unit in self.calls:
            steps.setdefault(step, []).append((done, total, unit))
        for step, calls in steps.items():
            counts = [done for done, _, _ in calls]
            assert counts == sorted(counts), (step, counts)
            assert all(total is None or done <= total for done, total, _ in calls), (step, calls)
            assert len({unit for _, _, unit in calls}) == 1, (step, calls)
            assert calls[-1][0] == calls[-1][1], (step, calls[-1])
        return {step: (calls[-1][0], calls[-1][2]) for step, calls in steps.items()}
