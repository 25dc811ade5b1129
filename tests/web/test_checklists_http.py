"""The checklist block on the assignment page: the control writes, the executor ticks, others cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ChecklistItem
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_token
from tests.web.test_assignments_http import client_for, make_world, new_assignment, page_text

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _items(session_factory: async_sessionmaker[AsyncSession], aid: int) -> list[ChecklistItem]:
    async with session_factory() as s:
        return list(
            (
                await s.scalars(
                    select(ChecklistItem)
                    .where(ChecklistItem.assignment_id == aid)
                    .order_by(ChecklistItem.position)
                )
            ).all()
        )


async def _post(client, aid: int, **data: str) -> str:  # type: ignore[no-untyped-def]
    token = await csrf_token(client, f"/assignments/{aid}")
    response = await client.post(
        f"/checklists/a/{aid}", data={"csrf_token": token, "back": f"/assignments/{aid}", **data}
    )
    return await response.text()


async def test_control_writes_executor_ticks_outsiders_cannot(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world)
    other = await new_assignment(session_factory, world, "Покрасить забор")

    control = await client_for(app_factory, "control")
    try:
        page = await page_text(control, f"/assignments/{aid}")
        assert 'id="checklist"' in page and "Пунктов пока нет." in page and 'id="checklist-add"' in page
        page = await _post(control, aid, op="add", text="Осмотреть двор\nУбрать снег\n\n")
        assert "Чек-лист сохранён." in page and 'id="checklist-summary">0/2<' in page
        first, second = await _items(session_factory, aid)
        assert "checklist-tick-" not in page  # the control writes, the executor ticks
        assert f'id="checklist-remove-{second.id}"' in page
        page = await _post(control, aid, op="required", required="1")
        assert 'id="checklist-required"' in page
        page = await _post(control, aid, op="tick", item_id=str(first.id))
        assert "У вас нет прав отмечать пункты этого чек-листа." in page
        # No token, no change.
        response = await control.post(f"/checklists/a/{aid}", data={"op": "add", "text": "Лишнее"})
        assert response.status == 403
        await _post(control, other, op="add", text="Купить краску")
    finally:
        await control.close()

    ivan = await client_for(app_factory, "ivan")
    try:
        page = await page_text(ivan, f"/assignments/{aid}")
        assert 'id="checklist-add"' not in page and "checklist-remove-" not in page
        assert "Отчёт только после того, как отмечены все пункты" in page
        page = await _post(ivan, aid, op="tick", item_id=str(first.id))
        assert 'id="checklist-summary">1/2<' in page and f'id="checklist-untick-{first.id}"' in page
        assert "Иван Петров" in page.split('id="checklist"')[1].split("</section>")[0]
        # An item of another assignment cannot be reached through this one's address.
        (foreign,) = await _items(session_factory, other)
        page = await _post(ivan, aid, op="tick", item_id=str(foreign.id))
        assert "Пункт чек-листа не найден." in page
        page = await _post(ivan, aid, op="remove", item_id=str(second.id))
        assert "У вас нет прав менять этот чек-лист." in page
    finally:
        await ivan.close()

    oleg = await client_for(app_factory, "oleg")
    try:
        token = await csrf_token(oleg, "/assignments")
        await oleg.post(
            f"/checklists/a/{aid}", data={"csrf_token": token, "op": "tick", "item_id": str(second.id)}
        )
    finally:
        await oleg.close()
    assert [(i.text, i.done_at is not None) for i in await _items(session_factory, aid)] == [
        ("Осмотреть двор", True),
        ("Убрать снег", False),
    ]
    assert (await _items(session_factory, other))[0].done_at is None
