"""The timers read the runtime's clock (see runtime.engine.clock)."""

from runtime.engine.clock import Clock, ManualClock, SystemClock, from_ms, require_aware, to_ms

__all__ = ["Clock", "ManualClock", "SystemClock", "from_ms", "require_aware", "to_ms"]
