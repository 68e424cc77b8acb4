"""Account access control: which accounts a restricted operator may see (seed 003).

The rules are those of "How The System Determines Access", checked in the seed's order:

1. **Client access.**  An operator with a Security Client # (or a CLIENT-type operator, through
   its Client #) sees the accounts of that client and of every client it owns, to any depth,
   "but no others": the client rule decides on its own, the later checks do not apply.
2. **Locked out by default.**  An account with no Clerk and no Access in its Debtor Detail is
   open to every restricted operator, unless the operator is locked out by default.
3. **Operator ID**, 4. **Sales ID**, 5. **Debtor Detail Clerk**, 6. **Debtor Detail Access**:
   the operator's own ID in that field grants access.
7. **Team list:** the ID of a team the operator belongs to — directly or through teams nested to
   any depth — in any of those four fields grants access.

Operators with Enable Security off see everything.  CLIENT operators are always restricted and
always strict (decision: a client seeing placeholders of another client's accounts would leak
file numbers and balances; the seed says they see their tree "but no others").

What a refused account looks like depends on Strict: strict hides it; non-strict shows the
placeholder (file number, last worked, operator, owing, group, member; name N/A; only OK, Next
and Prior).  Decision from "How To Use Account Access Control": an account in the operator's
*own* WIP list that they may not see (an assignment error) is shown as a placeholder even when
Strict is on — use :attr:`Purpose.OWN_WIP` there.

Enforcement is in the query layer: :meth:`AccessPolicy.debtor_filter` is a SQL expression added
to every select on debtors, written so the database drives it from indexes (the operator's
accounts are found through the operator / sales / clerk / access indexes, never by testing each
account in Python).  :meth:`AccessPolicy.can_see` is the same decision for one loaded account.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    case,
    exists,
    false,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session, aliased

from ..models import Client, Debtor, DebtorDetail, Operator, OperatorType, TeamMember


class Access(enum.Enum):
    FULL = "full"
    PLACEHOLDER = "placeholder"
    HIDDEN = "hidden"


class Purpose(enum.StrEnum):
    """Why debtors are read; decides whether refused accounts appear as placeholders."""

    #: Reports, letters, exports, batch work, statistics, anything showing account data:
    #: only accounts the operator may fully see.  The default: fail closed.
    DATA = "data"
    #: Browse lists and Find By: strict hides refused accounts, non-strict lists them and the
    #: caller must mask them (:meth:`AccessPolicy.mask_columns` or :func:`placeholder`).
    LIST = "list"
    #: The operator's own WIP list: refused accounts are placeholders, strict or not.
    OWN_WIP = "own wip"


class Rule(enum.StrEnum):
    """Which check decided (for tests, the audit log and "why can't I see this" answers)."""

    SECURITY_OFF = "security off"
    CLIENT = "client access"
    OUTSIDE_CLIENT = "outside client tree"
    NO_ACCESS_ID = "no access id"
    OPERATOR = "operator"
    SALES = "sales"
    CLERK = "clerk"
    ACCESS = "access"
    TEAM = "team"
    NO_MATCH = "no match"


@dataclass(frozen=True)
class Decision:
    granted: bool
    rule: Rule


#: The Debtor attributes a placeholder shows, and the only buttons it allows.
PLACEHOLDER_FIELDS = ("id", "last_worked", "operator_id", "owing", "group_id", "group_member")
PLACEHOLDER_NAME = "N/A"
PLACEHOLDER_BUTTONS = ("OK", "Next", "Prior")

#: Above this many clients in a tree the filter uses a recursive query instead of a bound list.
_MAX_BOUND_CLIENTS = 5000


@dataclass(frozen=True)
class Placeholder:
    """A confidential account as a restricted, non-strict operator sees it."""

    file_number: int
    last_worked: dt.datetime | None
    operator_id: str
    owing: Decimal
    group_id: int | None
    group_member: int
    name: str = PLACEHOLDER_NAME

    def fields(self) -> dict[str, Any]:
        """Values keyed by Debtor attribute: the only fields a form may fill in."""
        return {"id": self.file_number, "name": self.name, "last_worked": self.last_worked,
                "operator_id": self.operator_id, "owing": self.owing, "group_id": self.group_id,
                "group_member": self.group_member}


def placeholder(debtor: Any) -> Placeholder:
    """The placeholder of an account (a Debtor, or any row with the placeholder attributes)."""
    return Placeholder(
        file_number=debtor.id, last_worked=debtor.last_worked,
        operator_id=debtor.operator_id or "", owing=debtor.owing,
        group_id=debtor.group_id, group_member=debtor.group_member or 0)


# ---------------------------------------------------------------------------------------------
# Identity set and client tree (computed once per sign-on)
# ---------------------------------------------------------------------------------------------

def enclosing_teams(session: Session, operator_id: str) -> frozenset[str]:
    """Every team the operator belongs to, directly or through nested teams; cycle-safe."""
    seen: set[str] = set()
    frontier = {operator_id}
    while frontier:
        found = set(session.scalars(
            select(TeamMember.team_id).where(TeamMember.member_id.in_(sorted(frontier)))))
        frontier = found - seen - {operator_id}
        seen |= frontier
    return frozenset(seen)


def client_tree(session: Session, root: int) -> frozenset[int]:
    """``root`` and every client it owns, to any depth; cycle-safe."""
    seen = {root}
    frontier = {root}
    while frontier:
        found = set(session.scalars(
            select(Client.id).where(Client.owned_by_id.in_(sorted(frontier)))))
        frontier = found - seen
        seen |= frontier
    return frozenset(seen)


def _variants(ids: Iterable[str]) -> frozenset[str]:
    """IDs as stored plus upper/lower case, so a hand-typed ``sc`` still matches operator SC."""
    out: set[str] = set()
    for i in ids:
        if i:
            out |= {i, i.upper(), i.lower()}
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# The policy
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccessPolicy:
    """One operator's account access, computed at sign-on; immutable and thread-safe."""

    operator_id: str
    restricted: bool = False
    strict: bool = False
    locked_out: bool = False
    own_ids: frozenset[str] = frozenset()
    team_ids: frozenset[str] = frozenset()
    #: The operator's Client # (None: no client rule) and the clients it covers.
    client_root: int | None = None
    clients: frozenset[int] | None = None
    #: Client browsing limited to :attr:`clients` ("Apply to client accounts", CLIENT operators).
    restrict_clients: bool = False

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def unrestricted(cls, operator_id: str = "") -> AccessPolicy:
        """For system work that runs as no particular operator (schedulers, upgrades)."""
        return cls(operator_id)

    @classmethod
    def for_operator(cls, session: Session, operator_id: str) -> AccessPolicy:
        """The policy of an operator (IDs are case-insensitive); LookupError when unknown."""
        operator = session.get(Operator, operator_id) or session.get(
            Operator, (operator_id or "").strip().upper())
        if operator is None:
            raise LookupError(f"no operator with ID {operator_id!r}")
        return cls.for_loaded(session, operator)

    @classmethod
    def for_loaded(cls, session: Session, operator: Operator) -> AccessPolicy:
        is_client = (operator.type or "").upper() == OperatorType.CLIENT.value
        if not operator.enable_security and not is_client:
            return cls(operator.id)
        root = (operator.client_id if operator.client_id is not None
                else operator.security_client_id) if is_client else operator.security_client_id
        clients: frozenset[int] | None
        if root is not None:
            clients = client_tree(session, root)
        elif is_client:
            clients = frozenset()  # "Leaving the Client # empty ... wrong results": see nothing
        else:
            clients = None
        teams = enclosing_teams(session, operator.id)
        return cls(
            operator_id=operator.id,
            restricted=True,
            strict=bool(operator.strict) or is_client,
            locked_out=bool(operator.locked_out_by_default),
            own_ids=_variants([operator.id]),
            team_ids=_variants(teams) - _variants([operator.id]),
            client_root=root,
            clients=clients,
            restrict_clients=is_client or (bool(operator.apply_to_client_accounts)
                                           and clients is not None),
        )

    @property
    def identities(self) -> frozenset[str]:
        return self.own_ids | self.team_ids

    # --- one loaded account -------------------------------------------------------------------

    def decide(self, debtor: Debtor) -> Decision:
        """The rules in the seed's order for one account; ``debtor.detail`` may be lazy-loaded."""
        if not self.restricted:
            return Decision(True, Rule.SECURITY_OFF)
        if self.clients is not None:
            if debtor.client_id in self.clients:
                return Decision(True, Rule.CLIENT)
            return Decision(False, Rule.OUTSIDE_CLIENT)
        detail = debtor.detail
        clerk = detail.clerk_id if detail is not None else ""
        access = detail.access_id if detail is not None else ""
        if not self.locked_out and not clerk and not access:
            return Decision(True, Rule.NO_ACCESS_ID)
        fields = ((Rule.OPERATOR, debtor.operator_id), (Rule.SALES, debtor.sales_id),
                  (Rule.CLERK, clerk), (Rule.ACCESS, access))
        for rule, value in fields:
            if value and value in self.own_ids:
                return Decision(True, rule)
        if any(value and value in self.team_ids for _, value in fields):
            return Decision(True, Rule.TEAM)
        return Decision(False, Rule.NO_MATCH)

    def refused_as(self, purpose: Purpose = Purpose.LIST) -> Access:
        """How a refused account appears for ``purpose``."""
        if purpose is Purpose.DATA:
            return Access.HIDDEN
        if purpose is Purpose.OWN_WIP:
            return Access.PLACEHOLDER
        return Access.HIDDEN if self.strict else Access.PLACEHOLDER

    def can_see(self, debtor: Debtor, purpose: Purpose = Purpose.LIST) -> Access:
        """FULL, PLACEHOLDER (non-strict) or HIDDEN (strict) for one loaded account."""
        return Access.FULL if self.decide(debtor).granted else self.refused_as(purpose)

    def check(self, session: Session, debtor_id: int,
              purpose: Purpose = Purpose.LIST) -> Access | None:
        """The access to one account, decided by the database; None when it does not exist."""
        expr = self.access_expression(Debtor)
        row = session.execute(
            select(Debtor.id, expr if expr is not None else true()).where(Debtor.id == debtor_id)
        ).first()
        if row is None:
            return None
        return Access.FULL if row[1] else self.refused_as(purpose)

    # --- SQL ----------------------------------------------------------------------------------

    def _alias(self, name: str, model: type) -> Any:
        """An alias for this policy's subqueries, made once per policy and reused: a new alias
        of a wide table costs milliseconds in SQLAlchemy, more than the query it ends up in."""
        aliases = self.__dict__.get("_aliases")
        if aliases is None:
            aliases = {}
            object.__setattr__(self, "_aliases", aliases)  # a cache, not state: still frozen
        if name not in aliases:
            aliases[name] = aliased(model)
        return aliases[name]

    def access_expression(self, entity: Any = Debtor) -> ColumnElement[bool] | None:
        """True for accounts the operator may fully see; None when everything is visible.

        ``entity`` is ``Debtor`` or an alias of it.
        """
        if not self.restricted:
            return None
        if self.clients is not None:
            return self._client_condition(entity.client_id)
        ids = sorted(self.identities)
        if not self.locked_out:
            # Most accounts are open: test each candidate row with one primary-key probe of its
            # Debtor Detail ("restricted, and not to me") instead of building the operator's
            # account set, so a selective Find By or a first page stays cheap.
            detail = self._alias("detail", DebtorDetail)
            return or_(
                entity.operator_id.in_(ids),
                entity.sales_id.in_(ids),
                ~exists().where(
                    detail.debtor_id == entity.id,
                    or_(detail.clerk_id != "", detail.access_id != ""),
                    detail.clerk_id.not_in(ids),
                    detail.access_id.not_in(ids)),
            )
        if not ids:
            return false()
        # Locked out: the operator sees only the accounts naming it or one of its teams.  That
        # set is found through the indexes on debtors.operator_id / sales_id and
        # debtor_details.clerk_id / access_id, built once per query and probed by primary key,
        # so 1 account in 1,000,000 is found without reading the other 999,999.
        other = self._alias("other", Debtor)
        detail = self._alias("detail", DebtorDetail)
        mine = union(
            select(other.id).where(other.operator_id.in_(ids)),
            select(other.id).where(other.sales_id.in_(ids)),
            select(detail.debtor_id).where(detail.clerk_id.in_(ids)),
            select(detail.debtor_id).where(detail.access_id.in_(ids)),
        )
        return entity.id.in_(mine)

    def debtor_filter(self, entity: Any = Debtor,
                      purpose: Purpose = Purpose.DATA) -> ColumnElement[bool] | None:
        """The WHERE clause for a select on debtors for ``purpose`` (None: add nothing).

        For LIST and OWN_WIP the rows that come back may include placeholders: select
        :meth:`access_column` (or use :meth:`mask_columns`) to know which.
        """
        if not self.restricted:
            return None
        if self.refused_as(purpose) is Access.HIDDEN:
            return self.access_expression(entity)
        return None

    def restrict(self, stmt: Any, entity: Any = Debtor, purpose: Purpose = Purpose.DATA) -> Any:
        """``stmt`` with :meth:`debtor_filter` added (unchanged when there is nothing to add)."""
        cond = self.debtor_filter(entity, purpose)
        return stmt if cond is None else stmt.where(cond)

    def debtor_id_filter(self, column: Any,
                         purpose: Purpose = Purpose.DATA) -> ColumnElement[bool] | None:
        """For selects on tables that hold a ``debtor_id`` (notes, transactions, contacts …)
        without joining debtors: ``column IN (accounts the operator may see)``."""
        # An alias of its own, so the subquery never correlates with debtors in the outer query.
        debtor = self._alias("account", Debtor)
        cond = self.debtor_filter(debtor, purpose)
        if cond is None:
            return None
        if self.clients is None and not self.locked_out:
            # Most accounts are open: probe each row's own account by primary key instead of
            # listing every open account first (that list can hold a million ids).
            return exists().where(debtor.id == column, cond)
        return column.in_(select(debtor.id).where(cond))

    def access_column(self, entity: Any = Debtor) -> ColumnElement[bool]:
        """A selectable boolean, labelled ``accessible``: False marks a placeholder row."""
        expr = self.access_expression(entity)
        return (expr if expr is not None else literal(True)).label("accessible")

    def mask_columns(self, entity: Any, columns: Sequence[Any]) -> list[ColumnElement[Any]]:
        """``columns`` of ``entity`` masked in SQL for placeholder rows, plus ``accessible``.

        A column the placeholder shows comes back as is; ``name`` becomes N/A; every other
        column comes back NULL, so a refused account's data never leaves the database.
        """
        expr = self.access_expression(entity)
        out: list[ColumnElement[Any]] = []
        for col in columns:
            key = col.key
            if expr is None or key in PLACEHOLDER_FIELDS:
                out.append(col.label(key))
            elif key == "name":
                out.append(case((expr, col), else_=literal(PLACEHOLDER_NAME)).label(key))
            else:
                out.append(case((expr, col), else_=None).label(key))
        out.append(self.access_column(entity))
        return out

    # --- clients ------------------------------------------------------------------------------

    def _client_condition(self, column: Any) -> ColumnElement[bool]:
        assert self.clients is not None
        if not self.clients:
            return false()
        if len(self.clients) <= _MAX_BOUND_CLIENTS:
            return column.in_(sorted(self.clients))
        tree = select(Client.id).where(Client.id == self.client_root).cte(recursive=True)
        owned = aliased(Client)
        tree = tree.union(select(owned.id).where(owned.owned_by_id == tree.c.id))
        return column.in_(select(tree.c.id))

    def client_filter(self, entity: Any = Client) -> ColumnElement[bool] | None:
        """The WHERE clause for a select on clients (None: every client is visible)."""
        if not self.restrict_clients:
            return None
        return self._client_condition(entity.id)

    def can_see_client(self, client_id: int) -> bool:
        return not self.restrict_clients or (self.clients is not None and client_id in self.clients)

    def describe(self) -> str:
        """One line for the status bar or the audit log."""
        if not self.restricted:
            return f"{self.operator_id}: security off, every account visible"
        parts = ["strict" if self.strict else "non-strict"]
        if self.clients is not None:
            parts.append(f"client #{self.client_root} and {max(len(self.clients) - 1, 0)} owned")
        if self.locked_out:
            parts.append("locked out by default")
        if self.team_ids:
            parts.append("teams " + ", ".join(sorted({t.upper() for t in self.team_ids})))
        return f"{self.operator_id}: restricted ({'; '.join(parts)})"


def open_account(session: Session, policy: AccessPolicy, debtor_id: int,
                 purpose: Purpose = Purpose.LIST) -> tuple[Access, Debtor | Placeholder | None]:
    """Open one account for a form: ``(FULL, debtor)``, ``(PLACEHOLDER, placeholder)`` or
    ``(HIDDEN, None)``; a missing account is ``(HIDDEN, None)`` too, so nothing tells the two
    apart.  Arriving on a refused account is written to the audit log.
    """
    from .audit import ACCESS_REFUSED, audit_now

    access = policy.check(session, debtor_id, purpose)
    if access is None:
        return Access.HIDDEN, None
    if access is Access.FULL:
        return access, session.get(Debtor, debtor_id)
    shown = "placeholder shown" if access is Access.PLACEHOLDER else "hidden"
    audit_now(session, policy.operator_id, ACCESS_REFUSED, f"debtor {debtor_id}: {shown}")
    if access is Access.HIDDEN:
        return access, None
    debtor = session.get(Debtor, debtor_id)
    return access, placeholder(debtor) if debtor is not None else None


def purpose_for_account(session: Session, policy: AccessPolicy, debtor_id: int) -> Purpose:
    """How a form should open one account: OWN_WIP when it is in the operator's own WIP list.

    "How To Use Account Access Control": an account assigned to an operator's WIP list that the
    operator may not see is an assignment error, shown as a placeholder even when Strict is on.
    Only a strict, restricted operator needs the look-up (one indexed probe of contacts).
    """
    if not (policy.restricted and policy.strict):
        return Purpose.LIST
    from ..models import WIP_TYPES, Contact

    in_wip = session.scalar(select(Contact.id).where(
        Contact.operator_id.in_(sorted(policy.own_ids)), Contact.done.is_(False),
        Contact.debtor_id == debtor_id,
        Contact.type.in_([t.value for t in WIP_TYPES])).limit(1))
    return Purpose.OWN_WIP if in_wip is not None else Purpose.LIST


def may_list_everyones_wip(operator: Operator | None) -> bool:
    """Whether the operator may list every operator's WIP (the WIP list's All Operators, ``wip
    --manager``): SYSTEM operators, who land on the main menu and manage the desks.  The
    accounts in it still follow the operator's account access."""
    return operator is not None and (operator.type or "").upper() == OperatorType.SYSTEM.value


def stamp_owned_by(policy: AccessPolicy, new_client: Client) -> Client:
    """A client created by a client-restricted operator is owned by that operator's Client #.

    An Owned By already inside the operator's tree is kept (a sub-client of a sub-client);
    anything else is replaced by the operator's Client #.
    """
    if policy.restrict_clients and policy.client_root is not None:
        if new_client.owned_by_id is None or not policy.can_see_client(new_client.owned_by_id):
            new_client.owned_by_id = policy.client_root
    return new_client


__all__ = [
    "PLACEHOLDER_BUTTONS",
    "PLACEHOLDER_FIELDS",
    "PLACEHOLDER_NAME",
    "Access",
    "AccessPolicy",
    "Decision",
    "Placeholder",
    "Purpose",
    "Rule",
    "client_tree",
    "enclosing_teams",
    "may_list_everyones_wip",
    "open_account",
    "placeholder",
    "purpose_for_account",
    "stamp_owned_by",
]
