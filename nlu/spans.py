"""Keep the first-come of overlapping spans, in O(log n) per span."""

from __future__ import annotations

from bisect import bisect_left, insort


class Occupied:
    """Non-overlapping [start, end) spans; `take` adds a span only if it is free."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def is_free(self, start: int, end: int) -> bool:
        index = bisect_left(self._spans, (start, end))
        if index < len(self._spans) and self._spans[index][0] < end:
            return False
        return not (index > 0 and self._spans[index - 1][1] > start)

    def take(self, start: int, end: int) -> bool:
        if not self.is_free(start, end):
            return False
        insort(self._spans, (start, end))
        return True
