"""``porucheno import classifier FILE [--dry-run]``: the thematic classifier of appeals from the
file published on ССТУ.РФ (CSV or XLSX). All or nothing, as in the panel's settings page: a file
with bad lines is refused with each line listed.

Exit codes: 0 loaded (or, in a dry run, would be); 2 the file cannot be used (bad lines listed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from porucheno.i18n import gettext
from porucheno.settings import Settings

KIND = "classifier"


def N_(message: str) -> str:
    """Mark a message for extraction (translated where it is printed)."""
    return message


SUMMARY = N_(
    "Classifier: %(rows)d lines; new %(created)d, changed %(updated)d, unchanged %(unchanged)d, "
    "no longer listed (kept inactive) %(deactivated)d."
)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from models.db import create_engine, create_session_factory
    from services.appeals import classifier
    from services.audit import Actor
    from services.errors import DomainError

    locale = settings.locale
    path: Path = args.file
    if not path.is_file():
        print(gettext(locale, N_("No such file: %(path)s"), path=str(path)), file=sys.stderr)
        return 2

    async def main() -> classifier.LoadReport | None:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                data = await asyncio.to_thread(path.read_bytes)
                try:
                    report = await classifier.load_trusted(
                        session, data, filename=path.name, actor=Actor.system("cli-import")
                    )
                except DomainError as exc:
                    print(gettext(locale, exc.message, **exc.params), file=sys.stderr)
                    return None
                if report.loaded and not args.dry_run:
                    await session.commit()
                else:
                    await session.rollback()
                return report
        finally:
            await engine.dispose()

    report = asyncio.run(main())
    if report is None:
        return 2
    if not report.loaded:
        for error in report.errors:
            message = gettext(locale, error.message, **error.params)
            print(gettext(locale, N_("Row %(row)d: %(reason)s"), row=error.line, reason=message))
        print(gettext(locale, N_("Nothing was loaded.")), file=sys.stderr)
        return 2
    print(gettext(locale, N_("Dry run: nothing was written.") if args.dry_run else N_("Import done.")))
    counts = {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "deactivated": report.deactivated,
    }
    print(gettext(locale, SUMMARY, **counts))
    return 0
