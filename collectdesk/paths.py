"""Where the shipped data folders are: forms/, picklists/ and resources/.

In a source checkout or an editable install they sit beside the package; a wheel
carries them inside it (pyproject maps them to ``collectdesk/<name>``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def shipped(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the shipped folder {name!r} is missing from this installation")


def forms_dir() -> Path:
    return shipped("forms")


def picklists_dir() -> Path:
    return shipped("picklists")


def resources_dir() -> Path:
    return shipped("resources")
