"""Pure pieces of the panel: the limiters, the redirect guard and the client address."""

from __future__ import annotations

from multidict import CIMultiDict

from admin_web.client_address import client_address, trusted_networks
from admin_web.ratelimit import SlidingWindowLimiter, acquire_all
from admin_web.security import safe_next

OFF_SITE = [  # redirect targets that would leave the site
    "/\t/evil.example",  # what ?next=/%09/evil.example arrives as: browsers drop the tab
    "/\n/evil.example",
    "/ /evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u2028/evil.example",
    "evil.example",
]


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
    assert safe_next("/assignments?text=%D0%B0%20b") == "/assignments?text=%D0%B0%20b"
    for bad in OFF_SITE:
        assert safe_next(bad) == "/", repr(bad)
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", None, ""):
        assert safe_next(bad) == "/"


def test_client_address_believes_only_trusted_proxies() -> None:
    nets = trusted_networks("127.0.0.1, 10.0.0.0/8")

    def addr(peer: str, forwarded: str | None = None, real: str | None = None) -> str:
        headers: CIMultiDict[str] = CIMultiDict()
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        if real is not None:
            headers["X-Real-IP"] = real
        return client_address(peer, headers, nets)

    assert addr("203.0.113.9", "198.51.100.1") == "203.0.113.9"  # not a proxy: its header is ignored
    assert addr("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    # The client wrote the left part itself: the rightmost address not of our proxies counts.
    assert addr("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3") == "198.51.100.1"
    assert addr("127.0.0.1", "garbage, 198.51.100.1") == "198.51.100.1"
    assert addr("127.0.0.1", None, "198.51.100.2") == "198.51.100.2"
    assert addr("127.0.0.1") == "127.0.0.1"
    assert addr("::ffff:127.0.0.1", "[2001:db8::5]:443") == "2001:db8::5"
    assert client_address("127.0.0.1", CIMultiDict({"X-Forwarded-For": "198.51.100.1"}), ()) == "127.0.0.1"


def test_acquire_counts_in_one_step_and_release_gives_the_slot_back() -> None:
    clock = FakeClock()
    per_address, everyone = SlidingWindowLimiter(2, 60, clock=clock), SlidingWindowLimiter(3, 60, clock=clock)
    assert per_address.acquire("a") == 0 and per_address.acquire("a") == 0
    assert per_address.acquire("a") > 0  # the third is refused and not counted
    per_address.release("a")
    assert per_address.acquire("a") == 0
    # All or nothing: a refusal by one limiter leaves no slot taken in the other.
    assert acquire_all((everyone, "all"), (per_address, "a")) > 0
    assert everyone.retry_after("all") == 0 and len(everyone._hits.get("all", ())) == 0
    assert acquire_all((everyone, "all"), (per_address, "b")) == 0
