"""``porucheno import KIND FILE [--dry-run] [--oktmo CODE] [--invites FILE]``.

Exit codes: 0 every row taken (or would be, in a dry run); 1 some rows rejected (listed; the others
were imported); 2 the file or the arguments could not be used at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from porucheno.i18n import gettext
from porucheno.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from services.audit import Actor


def N_(message: str) -> str:
    """Mark a message for extraction (translated where it is printed)."""
    return message


SUMMARY = N_(
    "Rows: %(rows)d; created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
    "rejected: %(rejected)d."
)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from models.db import create_engine, create_session_factory
    from services.audit import Actor
    from services.errors import DomainError
    from services.imports import GAR_KIND, ImportReport, run_import
    from services.imports.gar import run_gar

    if args.kind == "classifier":  # all or nothing, not row by row: its own runner
        from porucheno import cli_classifier

        return cli_classifier.run(settings, args)
    locale = settings.locale
    path: Path = args.file
    if not path.exists():
        print(gettext(locale, N_("No such file: %(path)s"), path=str(path)), file=sys.stderr)
        return 2
    invites: Path | None = getattr(args, "invites", None)
    if invites is not None and (args.kind != "staff" or invites.suffix.lower() not in (".csv", ".xlsx")):
        print(
            gettext(locale, N_("--invites needs the staff kind and a .csv or .xlsx file name.")),
            file=sys.stderr,
        )
        return 2

    def show(done: int, total: int | None) -> None:
        if sys.stderr.isatty():
            print(f"\r{done} / {total or '?'}", end="", file=sys.stderr, flush=True)

    async def main() -> ImportReport | None:
        engine = create_engine(settings.database_url)
        actor = Actor.system("cli-import")
        try:
            async with create_session_factory(engine)() as session:
                try:
                    if args.kind == GAR_KIND:

                        async def gar_progress(done: int) -> None:
                            # Each batch of houses is kept as it comes (as the spreadsheet kinds
                            # keep each chunk), so a long region does not hold one transaction.
                            if not args.dry_run:
                                await session.commit()
                            show(done, None)

                        report = await run_gar(
                            session,
                            path,
                            oktmo=args.oktmo or "",
                            dry_run=args.dry_run,
                            actor=actor,
                            progress=gar_progress,
                        )
                        if not args.dry_run:
                            await session.commit()
                    else:
                        report = await run_import(
                            session,
                            args.kind,
                            path,
                            actor=actor,
                            tz=settings.tz,
                            dry_run=args.dry_run,
                            progress=show,
                            term_rule=settings.appeal_term_on_day_off,
                        )
                except DomainError as exc:
                    print(gettext(locale, exc.message, **exc.params), file=sys.stderr)
                    return None
                if invites is not None and not report.dry_run:
                    await _write_invites(session, actor, settings, report.created_user_ids, invites)
                    await session.commit()
                return report
        finally:
            await engine.dispose()

    report = asyncio.run(main())
    if report is None:
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(gettext(locale, N_("Dry run: nothing was written.") if report.dry_run else N_("Import done.")))
    counts = {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
    }
    print(gettext(locale, SUMMARY, **counts))
    for rejected in report.rejected:
        reason = rejected.text(locale)
        print(gettext(locale, N_("Row %(row)d: %(reason)s"), row=rejected.row, reason=reason))
    if invites is not None and not report.dry_run:
        print(gettext(locale, N_("Invite links written to %(path)s."), path=str(invites)))
    return 1 if report.rejected else 0


async def _write_invites(
    session: AsyncSession, actor: Actor, settings: Settings, user_ids: list[int], target: Path
) -> None:
    from services.imports.invites import bulk_invites, invites_csv, invites_xlsx

    lines = await bulk_invites(
        session,
        actor,
        user_ids,
        bot_username=settings.bot_username,
        ttl=timedelta(hours=settings.invite_ttl_hours),
    )
    render = invites_xlsx if target.suffix.lower() == ".xlsx" else invites_csv
    body = render(lines, settings.locale, settings.tz)
    await asyncio.to_thread(target.write_bytes, body)
