"""Repairs of dlt's package storage left by a killed run, before the next run starts.

dlt's normalize step commits a package by renaming `load/new/<id>` to `load/normalized/<id>`,
then deletes the extracted package `normalize/extracted/<id>` ("Committing storage, do not kill
this process"). A run killed between the two leaves both; the next run normalizes the extract
again and fails renaming onto the committed package (`OSError: [Errno 39] Directory not
empty`), and every later run with it. The committed package is complete (the rename is atomic),
so the leftover extract, whole or half deleted, is removed.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import dlt

log = logging.getLogger(__name__)
COMMITTED = ("normalized", "loaded")  # dlt's load storage folders of committed packages


def drop_committed_extracts(pipeline: dlt.Pipeline) -> list[str]:
    """Delete extracted packages whose load package is already committed; their load ids."""
    root = Path(pipeline.working_dir)
    extracted = root / "normalize" / "extracted"
    dropped = []
    for package in sorted(extracted.iterdir()) if extracted.is_dir() else []:
        if any((root / "load" / stage / package.name).is_dir() for stage in COMMITTED):
            shutil.rmtree(package)
            dropped.append(package.name)
            log.warning("load package %s was normalized by a run killed before it removed the "
                        "extracted files: removed them", package.name)
    return dropped
