"""The ZIP the portal's upload takes: one JSON file per appeal, named by its number, and a manifest.

Built in a thread (answer documents are read and encoded there). Entries are sorted and stamped
with the first day of the reported month, so the same report always gives the same bytes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from services.sstu.report import SstuReport, appeal_json

FORMAT_VERSION = "porucheno-sstu-1"


def file_name(number: str) -> str:
    """``12/2026`` → ``12-2026.json``: a registration number is not a safe path."""
    return re.sub(r"[^0-9A-Za-zА-Яа-яЁё._-]+", "-", number).strip("-") + ".json"


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def report_files(report: SstuReport) -> dict[str, Any]:
    """The archive's JSON documents by name (reads the answer documents: call off the event loop)."""
    contents: dict[Path, str] = {}
    for appeal in report.appeals:
        for question in appeal.questions:
            if question.attachment is not None and question.attachment.path not in contents:
                data = question.attachment.path.read_bytes()
                contents[question.attachment.path] = base64.b64encode(data).decode("ascii")
    files: dict[str, Any] = {}
    for appeal in report.appeals:
        files[file_name(appeal.number)] = appeal_json(appeal, contents)
    files["manifest.json"] = {
        "format": FORMAT_VERSION,
        "period": f"{report.year:04d}-{report.month:02d}",
        "departmentId": report.department_id,
        "appeals": len(report.appeals),
        "questions": report.question_count,
        "files": sorted(name for name in files if name != "manifest.json"),
    }
    return files


def _zip(report: SstuReport) -> bytes:
    files = report_files(report)
    stamp = (report.year, report.month, 1, 0, 0, 0)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # names in UTF-8
            archive.writestr(info, _dump(files[name]))
    return buffer.getvalue()


async def archive(report: SstuReport) -> bytes:
    return await asyncio.to_thread(_zip, report)
