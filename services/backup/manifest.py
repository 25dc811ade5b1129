"""The backup directory's self-description: ``manifest.json`` and ``SHA256SUMS``.

Every file of a backup is listed in the manifest with its size and SHA-256, and ``SHA256SUMS`` (the
format ``sha256sum -c`` reads) covers the manifest itself too, so one changed byte anywhere is found
before anything is restored. Paths in a manifest are checked to stay inside the backup: a crafted
backup must not make ``restore`` read or write outside it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from services.backup.errors import BackupError

FORMAT = "porucheno-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # relative, POSIX separators
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashed(src: BinaryIO, dst: BinaryIO) -> tuple[int, str]:
    """Copy a stream and hash what was copied in the same pass (files are read once)."""
    digest = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        dst.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def entry_for(root: Path, rel: str) -> FileEntry:
    path = root / rel
    return FileEntry(rel, path.stat().st_size, sha256_of(path))


def safe_relative(rel: str) -> PurePosixPath:
    """A manifest path, refused unless it is a plain relative path below the backup directory."""
    path = PurePosixPath(rel)
    if not rel or path.is_absolute() or "\\" in rel or any(p in ("", ".", "..") for p in rel.split("/")):
        raise BackupError(f"The backup is damaged: unsafe path {rel!r} in {MANIFEST}")
    return path


def write(root: Path, meta: dict[str, Any], entries: list[FileEntry]) -> None:
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        **meta,
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
    }
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    listed = [*entries, entry_for(root, MANIFEST)]
    (root / SUMS).write_text("".join(f"{e.sha256}  {e.path}\n" for e in listed), encoding="utf-8")


def read_unverified(root: Path) -> dict[str, Any] | None:
    """The manifest if ``root`` looks like one of our backups, else None (used to pick backups
    for retention, where anything else in the directory must be left alone)."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def verify(root: Path) -> dict[str, Any]:
    """Check every checksum and size; return the manifest. Raises BackupError with one line."""
    if not root.is_dir():
        raise BackupError(f"Not a backup directory: {root}")
    if not (root / SUMS).exists():
        raise BackupError(f"Not a Porucheno backup: {root} has no {SUMS}")
    sums = _read_sums(root)
    if MANIFEST not in sums:
        raise BackupError(f"The backup is damaged: {SUMS} does not cover {MANIFEST}")
    _check_file(root, MANIFEST, None, sums[MANIFEST])
    data = read_unverified(root)
    if data is None:
        raise BackupError(f"Not a Porucheno backup: {root / MANIFEST} is missing or unreadable")
    if data.get("version") != FORMAT_VERSION:
        raise BackupError(f"Unsupported backup format version {data.get('version')!r}")
    try:
        listed = {}
        for item in data["files"]:
            rel = str(safe_relative(str(item["path"])))
            if sums.get(rel) != item["sha256"]:
                raise BackupError(f"The backup is damaged: {MANIFEST} and {SUMS} disagree about {rel}")
            _check_file(root, rel, int(item["size"]), str(item["sha256"]))
            listed[rel] = item
        database_file = str(data["database"]["file"])
        str(data["created_at"])
    except (KeyError, TypeError, ValueError):
        raise BackupError(f"The backup is damaged: {MANIFEST} is malformed") from None
    if set(sums) - {MANIFEST} != set(listed) or database_file not in listed:
        raise BackupError(f"The backup is damaged: {MANIFEST} and {SUMS} list different files")
    return data


def _read_sums(root: Path) -> dict[str, str]:
    try:
        lines = (root / SUMS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"The backup is damaged: cannot read {SUMS} ({exc.__class__.__name__})") from None
    sums: dict[str, str] = {}
    for line in lines:
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BackupError(f"The backup is damaged: bad line in {SUMS}")
        sums[str(safe_relative(rel))] = digest
    return sums


def _check_file(root: Path, rel: str, size: int | None, expected: str) -> None:
    path = root / rel
    if not path.is_file() or path.is_symlink():
        raise BackupError(f"The backup is damaged: {rel} is missing")
    if size is not None and path.stat().st_size != size:
        raise BackupError(f"The backup is damaged: {rel} has the wrong size")
    if sha256_of(path) != expected:
        raise BackupError(f"The backup is damaged: checksum mismatch in {rel}")


def copy_tree_hashed(src_root: Path, dst_root: Path, prefix: str) -> list[FileEntry]:
    """Copy the regular files below ``src_root`` to ``dst_root/prefix``; symlinks are skipped so a
    link in the files directory cannot pull outside files into a backup."""
    entries: list[FileEntry] = []
    if not src_root.is_dir():
        return entries
    for path in sorted(src_root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = f"{prefix}/{path.relative_to(src_root).as_posix()}"
        target = dst_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as src, target.open("wb") as dst:
            size, digest = copy_hashed(src, dst)
        shutil.copystat(path, target)
        entries.append(FileEntry(rel, size, digest))
    return entries
