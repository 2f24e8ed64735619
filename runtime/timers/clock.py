"""The timers read the runtime's clock (see runtime.clock)."""

from runtime.clock import Clock, ManualClock, SystemClock, from_ms, require_aware, to_ms

__all__ = ["Clock", "ManualClock", "SystemClock", "from_ms", "require_aware", "to_ms"]
