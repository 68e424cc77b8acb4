"""Find the accounts a predictive dialer means: by file, phone, SSN, email or client account.

Used by the web predictive dialer (``/dialer?phone=…``) and the dialer link.  The
look-ups are Find By's (:func:`collectdesk.engine.browse.find`), so a dialer pop and
a collector's Find By always agree, and every key is an index search:

- ``file``  — the File Number (``Debtor.id``); digits only.
- ``phone`` — the digits kept beside every phone (``Phone.digits``: the debtor's
  and cosigners' phone records, which the records engine keeps in step with the
  Home / Work / Cell fields), so ``555-111-1222`` and ``5551111222`` are the same
  and a 10-digit number also matches the same number stored with a leading ``1``.
- ``ssn``   — the debtor's SSN, typed with or without dashes.
- ``email`` — case-insensitive against email records (then the debtor's Email field).
- ``acct``  — the client's account number (``Debtor.account``), exact after trimming.

The result is the sorted, de-duplicated list of file numbers.  A malformed value
(no digits, a non-numeric file number, an unknown key) raises ValueError (Find By's
:class:`~collectdesk.engine.browse.FindError` is one).
"""

from __future__ import annotations

from typing import Any

KEYS = ("phone", "file", "ssn", "email", "acct")
#: The dialer's key → the Find By method answering it.
FIND_METHOD = {"phone": "phone", "file": "file", "ssn": "ssn", "email": "email",
               "acct": "account"}


def find_accounts(session: Any, key: str, value: str, *, policy: Any = None) -> list[int]:
    """File numbers of the accounts matching ``key`` = ``value`` (see the module docstring).

    ``policy`` (an operator's account access) is handed to Find By unchanged."""
    from ..engine.browse import find

    key = (key or "").strip().lower()
    value = (value or "").strip()
    if key not in KEYS:
        raise ValueError(f"unknown search key {key!r}; use one of {', '.join(KEYS)}")
    if not value:
        raise ValueError(f"{key} is empty")
    if key == "file" and not value.isdigit():
        raise ValueError(f"file number {value!r} is not a number")
    extra = {"policy": policy} if policy is not None else {}
    found = find(session, FIND_METHOD[key], value, **extra)
    return sorted({file_number for file_number in found if file_number is not None})
