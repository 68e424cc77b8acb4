"""Auto Dialer preferences and the number clean-up they drive.

The preferences live in :class:`collectdesk.models.Preferences`: one system row
(``operator_id`` NULL) and optional operator rows whose non-NULL columns override
it, like Collect!'s "Save System" / "Save Operator" configuration files.  This
module only needs an object with the four attributes, so a plain
:class:`DialSettings` (or a test double) works as well as a model row.

Clean-up rule (seed 003 "Auto Dialer Setup" names the settings, not the rule;
this is the documented decision):

0. A trailing extension typed into the number (``x12``, ``ext. 12``) is dropped:
   extensions have their own field and a dialer cannot take them.
1. ``dial_digits_only`` on: every non-digit is removed.  Off: the number keeps
   the visual separators a ``tel:`` URI allows (``+ - . ( )``); anything else
   (spaces, letters) is dropped.
2. The area-code rules look at the digits only and apply to NANP-style 10-digit
   numbers (an 11-digit number starting with ``1`` counts as the 1 + 10 digits):
   - ``local_area_code`` set and the number's area code equals it: the area code
     (and a leading ``1``) is stripped, leaving the 7-digit local number;
   - otherwise ``long_distance_prefix`` set: the prefix is put in front of the
     10 digits (an already present leading ``1`` is replaced by the prefix).
     Without a local area code every 10-digit number counts as long distance.
   Numbers of any other length (7-digit locals, international) are left alone.
   When a rule changes the number, the result is digits only (separators would
   no longer line up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

_VISUAL = re.compile(r"[^0-9+\-.()]")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*\d+\s*$", re.IGNORECASE)


def digits_only(number: str | None) -> str:
    """Every digit of ``number`` in order; ``"(555) 123-7777"`` → ``"5551237777"``."""
    return "".join(ch for ch in (number or "") if ch.isdigit() and ch.isascii())


@dataclass(frozen=True)
class DialSettings:
    """The effective Auto Dialer preferences of one operator."""

    prompt_before_dialing: bool = True
    dial_digits_only: bool = False
    long_distance_prefix: str = ""
    local_area_code: str = ""
    display_dialer: bool = False

    @classmethod
    def merged(cls, *layers: Any) -> DialSettings:
        """System settings first, then overrides: a later non-None attribute wins.

        Each layer is anything with (some of) the attribute names: a
        ``Preferences`` row, a ``DialSettings``, a ``SimpleNamespace``, or None.
        """
        values: dict[str, Any] = {}
        for layer in layers:
            if layer is None:
                continue
            for f in fields(cls):
                value = getattr(layer, f.name, None)
                if value is not None:
                    values[f.name] = value
        values["long_distance_prefix"] = digits_only(values.get("long_distance_prefix"))
        values["local_area_code"] = digits_only(values.get("local_area_code"))
        return cls(**values)


#: The Preferences columns of the Auto Dialer Setup (Save System / Save Operator).
PREFERENCES = tuple(f.name for f in fields(DialSettings))


def load_dial_settings(session: Any, operator_id: str | None) -> DialSettings:
    """The Auto Dialer preferences that apply to ``operator_id``: the system's, overridden by
    each setting the operator has saved for themselves (the one place this is decided)."""
    from ..engine.preferences import rows

    return DialSettings.merged(*rows(session, operator_id))


def clean_number(number: str, settings: DialSettings | None = None) -> str:
    """The number the dialer is given, after the clean-up rule in the module docstring."""
    settings = settings or DialSettings()
    entered = _EXTENSION.sub("", (number or "").strip())
    digits = digits_only(entered)
    shaped = _apply_area_rules(digits, settings)
    if shaped != digits or settings.dial_digits_only:
        return shaped
    return _VISUAL.sub("", entered)


def _apply_area_rules(digits: str, settings: DialSettings) -> str:
    national = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    if len(national) != 10:
        return digits
    local = settings.local_area_code
    if local and national.startswith(local):
        return national[len(local):]
    if settings.long_distance_prefix:
        return settings.long_distance_prefix + national
    return digits
