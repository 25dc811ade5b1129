"""A department head hands work on in Telegram only within the department (as in the panel)."""

from __future__ import annotations

from models import Assignment
from services import staff
from services.audit import Actor
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    press_data,
    town_fixture,
)

OUT_OF_DEPARTMENT = (
    "Руководитель подразделения может передать поручение только сотруднику своего подразделения."
)


async def test_a_department_head_reassigns_only_within_the_department(town, sandbox, session_factory) -> None:
    async with session_factory() as session:
        await staff.set_department_head(session, Actor.system(), town.department_id, town.colleague.id)
        await session.commit()
    aid = await create_assignment(session_factory, town)
    head = town.colleague.chat
    anchor = await head.send("/start", expect="Здравствуйте")

    await head.callback_answer(press_data(sandbox, head, anchor["message_id"], f"asg:reassign:{aid}"))
    picker = await head.reply("Кому передать поручение")
    assert "чтобы найти в этом подразделении" in picker["text"]
    assert list(buttons(picker)) == ["Кузнецова Ольга Викторовна", "Сидоров Пётр Ильич"]
    # The name search does not reach beyond the department...
    assert "Никого не нашлось" in (await head.send("орлова"))["text"]
    # ...and neither does a forged button with someone else's id.
    answer = await head.callback_answer(
        press_data(sandbox, head, picker["message_id"], f"rsg:{aid}:{town.outsider.id}")
    )
    assert (answer["text"], answer["show_alert"]) == (OUT_OF_DEPARTMENT, True)
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and a.executor_id == town.executor.id

    await head.press(picker, "Кузнецова Ольга Викторовна")
    await head.reply("передано: Кузнецова Ольга Викторовна")
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and (a.status, a.executor_id) == ("new", town.controller.id)
