from __future__ import annotations

import runtime.scheduling
import runtime.timers


def test_public_names_are_exported_sorted_and_exist() -> None:
    for package in (runtime.scheduling, runtime.timers):
        assert package.__all__ == sorted(package.__all__, key=lambda n: (not n.isupper(), n))
        assert all(hasattr(package, name) for name in package.__all__)
