"""Errors of click-to-dial; each message is one clear line a collector or manager can act on."""

from __future__ import annotations


class DialError(Exception):
    """Dialing cannot start; nothing was sent."""


class DialConfigError(DialError):
    """The operator's dialer set-up (Note 1 / Note 2 / a .dialstring file) is wrong.

    Raised while planning, before anything is sent.
    """


class DialRefused(DialError):
    """The contact-controls check refused the call; nothing was sent."""


class AccountRefused(DialError):
    """Account access control does not let the operator see the account; nothing was sent."""
