"""What 59-FZ / 547-FZ and the ССТУ.РФ report need beyond the appeal itself: the questions of an
appeal with their classifier codes and results, the thematic classifier, the letters issued on an
appeal (answers, covering letters, notices) kept as documents, answer templates and the legal
regime of each intake channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow
from models.enums import AppealRegime


class ClassifierEntry(Base):
    """One line of the standard thematic classifier of appeals (Типовой общероссийский тематический
    классификатор обращений): codes like ``0001.0001.0001.0001`` (раздел.тематика.тема.вопрос).
    Loaded from a file; only ``вопрос``-level codes (level 4) are chosen for a question."""

    __tablename__ = "classifier_entries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(1000))
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    level: Mapped[int] = mapped_column(SmallInteger, default=4)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())


class AppealQuestion(Base):
    """A question of an appeal: an appeal may raise several, each coded and decided on its own."""

    __tablename__ = "appeal_questions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=1)
    classifier_code: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(String(24))  # QuestionResult; None while in work
    # ССТУ "actionsTaken": for a supported question, were measures taken.
    measures_taken: Mapped[bool] = mapped_column(default=False, server_default=false())
    measures: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("appeal_id", "position"),)


class AppealLetter(Base):
    """A letter issued on an appeal, kept as the document that went out (DOCX and PDF)."""

    __tablename__ = "appeal_letters"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # LetterKind
    out_number: Mapped[str] = mapped_column(String(40), unique=True)  # исходящий номер
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(String(1000), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    signer_position: Mapped[str | None] = mapped_column(String(255))
    signer_name: Mapped[str | None] = mapped_column(String(255))
    docx_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    pdf_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_via: Mapped[str | None] = mapped_column(String(16))  # email | telegram | post | hand
    sent_at: Mapped[datetime | None]


class AnswerTemplate(Base):
    """A ready answer text for a topic, with placeholders filled from the appeal."""

    __tablename__ = "answer_templates"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # "appeal": answers to residents' appeals; "service": replies on staff service requests.
    scope: Mapped[str] = mapped_column(String(16), default="appeal", server_default="appeal")
    service_topic_id: Mapped[int | None] = mapped_column(ForeignKey("service_topics.id", ondelete="CASCADE"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ChannelRegime(Base):
    """Per intake channel: 59-FZ appeal or «сообщение» (547-FZ), and whether a clerk registers it."""

    __tablename__ = "channel_regimes"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    regime: Mapped[str] = mapped_column(String(16), default=AppealRegime.APPEAL)
    # False: registered on arrival; True: waits in "received" for a clerk (3 days by 59-FZ art. 8).
    manual_registration: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["AnswerTemplate", "AppealLetter", "AppealQuestion", "ChannelRegime", "ClassifierEntry"]
