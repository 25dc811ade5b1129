"""Pure pieces of the panel: the login limiter and the redirect guard."""

from __future__ import annotations

from admin_web.ratelimit import SlidingWindowLimiter
from admin_web.security import safe_next


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_blocks_after_the_limit_and_slides() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, 60, clock=clock)
    key = ("10.0.0.1", "admin")
    for _ in range(3):
        assert limiter.retry_after(key) == 0
        limiter.hit(key)
        clock.now += 10
    assert limiter.retry_after(key) == 30  # the first failure leaves the window at 1060
    assert limiter.retry_after(("10.0.0.2", "admin")) == 0  # another address is not punished
    clock.now += 30
    assert limiter.retry_after(key) == 0
    limiter.hit(key)
    assert limiter.retry_after(key) > 0
    limiter.reset(key)
    assert limiter.retry_after(key) == 0


def test_limiter_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(5, 60, clock=clock, max_keys=100)
    for n in range(1000):
        limiter.hit(("ip", str(n)))
    assert len(limiter._hits) <= 100


def test_safe_next_allows_only_local_paths() -> None:
    assert safe_next("/staff?role=admin") == "/staff?role=admin"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", None, ""):
        assert safe_next(bad) == "/"
