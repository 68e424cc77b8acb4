"""Deleting from a form or a list: the operator's Messaging level decides how they are asked
(seed 003 "Operator Setup": normal types DELETE, advanced answers Yes / No, expert is not
asked); :mod:`collectdesk.engine.deleting` decides what may be deleted."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from ..engine import deleting
from ..engine.operators import delete_confirmation, delete_confirmed
from ..engine.rights import AccessRefused
from ..models import Messaging, Operator, Transaction
from . import dialogs

TITLE = "Delete"


def confirm(parent: QWidget | None, operator: Operator | None, what: str,
            warning: str = "") -> bool:
    """Ask whether to delete ``what`` as the operator's Messaging level says."""
    if operator is None:
        operator = Operator(messaging=Messaging.NORMAL.value)
    mode = delete_confirmation(operator)
    if mode == "none":
        return True
    extra = f"\n\n{warning}" if warning else ""
    if mode == "ask":
        return dialogs.ask(parent, TITLE, f"Delete {what}?{extra}", ["Yes", "No"],
                           default="No") == "Yes"
    typed = dialogs.ask_text(parent, TITLE, f"Delete {what}?{extra}\n\nType DELETE to confirm.")
    return delete_confirmed(operator, typed)


def delete(parent: QWidget | None, ctx: Any, model: type, key: Any, what: str = "") -> bool:
    """Delete one record after asking; a refusal is told, naming why.  True when deleted."""
    with ctx.session() as s:
        record = s.get(model, key)
        if record is None:
            return False
        what = what or deleting.describe(record)
        try:
            deleting.check_delete(s, record, rights=ctx.rights, policy=ctx.policy)
        except (deleting.DeleteRefused, AccessRefused) as refused:
            dialogs.tell(parent, TITLE, str(refused), warning=True)
            return False
    if not confirm(parent, ctx.operator, what):
        return False
    with ctx.session() as s:
        record = s.get(model, key)
        if record is None:
            return False
        account = record.debtor_id if isinstance(record, Transaction) else None
        try:
            deleting.delete_record(s, record, operator_id=ctx.operator_id, rights=ctx.rights,
                                   policy=ctx.policy)
        except (deleting.DeleteRefused, AccessRefused) as refused:  # changed meanwhile
            dialogs.tell(parent, TITLE, str(refused), warning=True)
            return False
    ctx.notify(model.__tablename__, key)
    if account is not None:
        ctx.notify("debtors", account)  # its totals were worked out again
    return True


__all__ = ["confirm", "delete"]
