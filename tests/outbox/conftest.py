"""The outbox sender talks to the same sandbox as the sandbox's own tests; a module overrides
``sandbox_config`` for other limits."""

from tests.sandbox.conftest import client, sandbox, sandbox_config  # noqa: F401 - fixtures
