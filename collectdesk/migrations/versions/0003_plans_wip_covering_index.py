"""WIP list: ix_contacts_wip covers the list's query (type, due time and account added), so
the first page and the counts of a collector with 50,000 due contacts are read from the index
alone instead of looking up every contact row; the type comes before the due date so that
the four WIP types are read as four ranges, skipping the letters and other In Progress events.

Revision ID: 0003_plans
Revises: 0002_finance
Create Date: 2026-12-03 15:50:00
"""

from __future__ import annotations

from alembic import op

revision = '0003_plans'
down_revision = '0002_finance'
branch_labels = None
depends_on = None

WIDE = ['operator_id', 'done', 'type', 'due_date', 'priority', 'due_time', 'debtor_id']
NARROW = ['operator_id', 'done', 'due_date', 'priority']


def upgrade() -> None:
    op.drop_index('ix_contacts_wip', table_name='contacts')
    op.create_index('ix_contacts_wip', 'contacts', WIDE, unique=False)


def downgrade() -> None:
    op.drop_index('ix_contacts_wip', table_name='contacts')
    op.create_index('ix_contacts_wip', 'contacts', NARROW, unique=False)
