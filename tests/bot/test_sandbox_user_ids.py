"""After a demo restart the sandbox hands out fresh user ids, so a new resident is never greeted as
the staff member an old sandbox user became (issue #12, item 5)."""

from __future__ import annotations

import time

from sandbox.config import SandboxConfig
from sandbox.state import SandboxState, generated_user_id_floor
from tests.bot.conftest import RESIDENT_MENU, Chat, keyboard_texts, make_invite, make_staff


def test_a_restarted_sandbox_does_not_reuse_ids() -> None:
    first = SandboxState(SandboxConfig())
    old = first.register_user(None, "Мария").id
    time.sleep(0.15)  # a restart takes longer than this
    restarted = SandboxState(SandboxConfig())
    assert restarted.register_user(None, "Иван").id > old
    assert len(str(generated_user_id_floor())) == 10
    assert generated_user_id_floor(2_000_000_000) < 10_000_000_000  # still 10 digits in 2033


async def test_a_new_user_after_a_reset_is_a_resident(client, polling, session_factory) -> None:
    staff_id = await make_staff(session_factory, full_name="Лебедева Мария Ивановна", roles=("clerk",))
    maria = Chat(client, (await client.register_user(first_name="Мария"))["id"])
    await maria.send(f"/start inv_{await make_invite(session_factory, staff_id)}", expect="Готово")

    await client.reset()  # the sandbox forgets its users, as after a restart; the product does not
    newcomer = Chat(client, (await client.register_user(first_name="Иван"))["id"])
    assert newcomer.user_id != maria.user_id
    greeting = await newcomer.send("/start", expect="Здравствуйте, Иван")
    assert keyboard_texts(greeting) == RESIDENT_MENU
