"""Forms in the services: every field kind's check, the editor's rules, identity and exactly-once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Correspondent, CorrespondentSuggestion, FormField, FormSubmission
from models.enums import SubmissionChannel
from services.audience import tags
from services.errors import InvalidInput
from services.forms import definitions as d
from services.forms import links
from services.forms.intake import SubmissionInput, submit
from services.forms.validation import validate
from services.privacy import consent, erasure
from services.privacy.export import gather
from tests.services.forms_support import ACTOR, make_form


def _field(kind: str, **kw: object) -> FormField:
    return FormField(key="k", kind=kind, label_ru="Поле", required=kw.pop("required", False), **kw)


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "value"),
    [
        ("text", {}, "  Маша   Иванова ", "Маша Иванова"),
        ("textarea", {}, "строка 1\nстрока 2", "строка 1\nстрока 2"),
        ("choice", {"options": [{"value": "a", "ru": "А"}]}, "a", "a"),
        (
            "multichoice",
            {"options": [{"value": "a", "ru": "А"}, {"value": "b", "ru": "Б"}]},
            ["b", "a", "b"],
            ["a", "b"],
        ),
        ("date", {}, "25.12.2026", "2026-12-25"),
        ("date", {}, "2026-12-25", "2026-12-25"),
        ("number", {"rules": {"min": 1, "max": 10}}, "7", 7),
        ("number", {}, "3,5", 3.5),
        ("phone", {}, "8 (900) 123-45-67", "+79001234567"),
        ("email", {}, "Maria@Mail.RU", "maria@mail.ru"),
        ("consent", {}, "1", True),
        ("file", {"rules": {"max_files": 2}}, [b"x", b"y"], 2),
    ],
)
def test_every_kind_accepts_good_answers(kind: str, extra: dict, raw: object, value: object) -> None:
    checked = validate(_field(kind, **extra), raw, "ru")
    assert checked.ok and checked.value == value


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "error"),
    [
        ("text", {"rules": {"max_length": 5}}, "слишком длинно", "At most 5 characters"),
        ("text", {}, "я" * 10_000, "At most 500 characters"),
        ("text", {"rules": {"min_length": 3}}, "аб", "At least 3 characters"),
        ("text", {"rules": {"pattern": r"\d{6}"}}, "12ab", "expected format"),
        ("choice", {"options": [{"value": "a", "ru": "А"}]}, "forged", "Choose from the options"),
        ("multichoice", {"options": [{"value": "a", "ru": "А"}]}, ["a", "x"], "Choose from the options"),
        ("date", {}, "31.02.2026", "Enter a date"),
        ("date", {}, "завтра", "Enter a date"),
        ("number", {"rules": {"max": 10}}, "11", "at most 10"),
        ("number", {}, "nan", "Enter a number"),
        ("phone", {}, "12", "Enter a phone number"),
        ("email", {}, "maria@", "Enter an e-mail address"),
        ("consent", {}, "no", "Your consent is needed"),
        ("file", {"rules": {"max_files": 1}}, [b"x", b"y"], "At most 1 files"),
    ],
)
def test_hostile_and_mistyped_answers_get_a_translated_error(
    kind: str, extra: dict, raw: object, error: str
) -> None:
    checked = validate(_field(kind, **extra), raw, "en")  # the English text is the msgid
    assert not checked.ok and error.casefold() in (checked.error or "").casefold()


def test_required_and_optional() -> None:
    assert validate(_field("text", required=True), "  ", "ru").error  # translated by the catalog
    assert validate(_field("text", required=True), "", "en").error == "This field is required."
    assert validate(_field("text"), "", "ru") == validate(_field("date"), None, "ru")
    assert validate(_field("text"), "", "ru").value is None


async def test_editor_rules(session: AsyncSession) -> None:
    form = await make_form(session)
    with pytest.raises(InvalidInput):
        await d.create_form(session, d.FormDraft(slug="kids", title_ru="Ещё"), actor=ACTOR)
    for slug in ("Дети", "a", "with space", "done", "x" * 41):
        with pytest.raises(InvalidInput):
            await d.create_form(session, d.FormDraft(slug=slug, title_ru="Т"), actor=ACTOR)
    with pytest.raises(InvalidInput):
        await d.add_field(session, form.id, d.FieldDraft("name", "text", "Дубль"), actor=ACTOR)
    with pytest.raises(InvalidInput):
        await d.add_field(session, form.id, d.FieldDraft("c", "choice", "Без вариантов"), actor=ACTOR)
    with pytest.raises(InvalidInput):
        await d.add_field(
            session, form.id, d.FieldDraft("p", "text", "Т", rules={"pattern": "("}), actor=ACTOR
        )
    fields = await d.fields_of(session, form.id)
    await d.move_field(session, form.id, fields[1].id, -1, actor=ACTOR)
    assert [f.key for f in await d.fields_of(session, form.id)][:2] == ["course", "name"]
    await d.delete_field(session, form.id, fields[0].id, actor=ACTOR)
    assert [f.position for f in await d.fields_of(session, form.id)] == list(range(len(fields) - 1))
    await d.set_active(session, form.id, False, actor=ACTOR)
    assert await d.by_slug(session, "kids") is None
    actions = set(
        (await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "form"))).all()
    )
    assert {"created", "field_added", "field_moved", "field_deleted", "deactivated"} <= actions


async def _input(session: AsyncSession, form_id: int, **kw: object) -> SubmissionInput:
    version = (await consent.current(session, consent.ACTIVITIES)).version
    answers = {"name": "Маша", "course": "art", "agree": "1", **kw.pop("answers", {})}  # type: ignore[dict-item]
    return SubmissionInput(form_id=form_id, answers=answers, consent_version=version, **kw)  # type: ignore[arg-type]


async def test_telegram_answer_lands_on_the_own_card_with_tags_once(session: AsyncSession) -> None:
    form = await make_form(session)
    data = await _input(
        session,
        form.id,
        channel=SubmissionChannel.TELEGRAM,
        telegram_id=5001,
        telegram_name="Мария",
        dedup_key="tg:5001:1",
        answers={"email": "m@mail.ru"},
    )
    first = await submit(session, data)
    again = await submit(session, data)  # the confirm pressed twice
    assert first.ok and again.repeated and again.submission.id == first.submission.id
    assert await session.scalar(select(func.count()).select_from(FormSubmission)) == 1
    card = first.correspondent
    assert card.telegram_id == 5001 and card.email == "m@mail.ru" and not card.email_proven
    assert await tags.tags_of(session, card.id) == ["дети", "университет"]
    # The same person again (another web visit through the signed link): the same card.
    second = await submit(
        session, await _input(session, form.id, channel="web", telegram_id=5001, dedup_key="w1")
    )
    assert second.correspondent.id == card.id


async def test_typed_contacts_never_attach_to_an_existing_card(session: AsyncSession) -> None:
    form = await make_form(session)
    owner = await submit(
        session,
        await _input(
            session, form.id, channel="telegram", telegram_id=5002, answers={"phone": "+7 900 111-22-33"}
        ),
    )
    stranger = await submit(
        session,
        await _input(session, form.id, channel="web", answers={"phone": "89001112233", "name": "Кто-то"}),
    )
    assert stranger.correspondent.id != owner.correspondent.id
    assert stranger.correspondent.phone_proven is False
    suggestion = await session.scalar(select(CorrespondentSuggestion))
    assert suggestion is not None and {suggestion.correspondent_id, suggestion.candidate_id} == {
        owner.correspondent.id,
        stranger.correspondent.id,
    }


async def test_errors_store_nothing_and_inactive_forms_refuse(session: AsyncSession) -> None:
    form = await make_form(session)
    result = await submit(
        session,
        await _input(
            session,
            form.id,
            channel="web",
            answers={"course": "forged", "agree": "", "birthday": "99.99.2026"},
        ),
    )
    assert not result.ok and set(result.errors) == {"course", "agree", "birthday"}
    assert await session.scalar(select(func.count()).select_from(Correspondent)) == 0
    await d.set_active(session, form.id, False, actor=ACTOR)
    with pytest.raises(InvalidInput.__mro__[1]):
        await submit(session, await _input(session, form.id, channel="web"))


def test_personal_links() -> None:
    token = links.sign("s" * 32, 77, now=1000)
    assert links.verify("s" * 32, token, now=2000) == 77
    assert links.verify("s" * 32, token, now=1000 + 8 * 86400) is None  # expired
    assert links.verify("t" * 32, token, now=2000) is None  # another key
    forged = token.replace("77.", "78.", 1)
    assert links.verify("s" * 32, forged, now=2000) is None
    assert links.verify("s" * 32, "garbage", now=2000) is None
    assert links.bot_url("my_bot", "kids") == "https://t.me/my_bot?start=form_kids"


async def test_erasure_blanks_answers_and_export_includes_them(session: AsyncSession, tmp_path) -> None:  # type: ignore[no-untyped-def]
    form = await make_form(session)
    result = await submit(
        session,
        await _input(session, form.id, channel="telegram", telegram_id=5003, answers={"email": "e@mail.ru"}),
    )
    card_id = result.correspondent.id
    exported = await gather(session, card_id, tmp_path)
    assert exported.form_submissions[0]["answers"]["name"] == "Маша"
    await erasure.anonymise(session, card_id, ACTOR, "request")
    submission = await session.get(FormSubmission, result.submission.id)
    await session.refresh(submission)
    assert submission.answers == {} and submission.contact_email is None and submission.form_id == form.id


async def test_demo_forms_are_made_through_the_services(session: AsyncSession) -> None:
    from zoneinfo import ZoneInfo

    from models import utcnow
    from porucheno.demo_forms import seed_forms

    forms = await seed_forms(session, ACTOR, ZoneInfo("Europe/Moscow"), utcnow())
    assert [f.slug for f in forms] == ["universitet-detey", "novosti", "volonter"]
    volunteer_keys = {f.key for f in await d.fields_of(session, forms[2].id)}
    assert {"skills", "availability"} <= volunteer_keys
    [answer] = (await session.scalars(select(FormSubmission))).all()
    assert set(await tags.tags_of(session, answer.correspondent_id)) == {"дети", "университет детей"}


async def test_only_mapped_fields_fill_the_card(session: AsyncSession) -> None:
    form = await make_form(session)
    await d.add_field(session, form.id, d.FieldDraft("school_email", "email", "Почта школы"), actor=ACTOR)
    fields = await d.fields_of(session, form.id)
    email_field = next(f for f in fields if f.key == "email")
    await d.update_field(
        session,
        form.id,
        email_field.id,
        d.FieldDraft("email", "email", "Эл. почта", maps_to=None),
        actor=ACTOR,
    )
    result = await submit(
        session,
        await _input(
            session, form.id, channel="telegram", telegram_id=5004, answers={"school_email": "s@school.ru"}
        ),
    )
    assert result.correspondent.email is None  # not the person's: no field maps to the card's e-mail
    assert result.submission.contact_email == "s@school.ru"  # kept with the answer as typed


async def test_only_managers_and_clerks_change_forms(session: AsyncSession) -> None:
    from services.audit import Actor
    from services.errors import PermissionDenied
    from services.staff import create_user

    executor = await create_user(session, ACTOR, full_name="Исполнитель", roles=["executor"], login="ex")
    clerk = await create_user(session, ACTOR, full_name="Делопроизводитель", roles=["clerk"], login="cl")
    for actor in (Actor(user_id=executor.id), Actor(telegram_id=77)):
        with pytest.raises(PermissionDenied):
            await d.create_form(session, d.FormDraft(slug="no-way", title_ru="Нет"), actor=actor)
    form = await d.create_form(session, d.FormDraft(slug="yes", title_ru="Да"), actor=Actor(user_id=clerk.id))
    with pytest.raises(PermissionDenied):
        await d.set_active(session, form.id, False, actor=Actor(user_id=executor.id))
