"""ix_contacts_debtor_id holds the In Progress flag after the account: a plan's deletion rules
(``debtor_id`` in a chunk AND not done) and an account's pending contacts are found in the
index, without reading the completed contacts an account gathers over the years.

Revision ID: 0004_contacts
Revises: 0003_plans
Create Date: 2026-12-03 17:05:00
"""

from __future__ import annotations

from alembic import op

revision = '0004_contacts'
down_revision = '0003_plans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_contacts_debtor_id', table_name='contacts')
    op.create_index('ix_contacts_debtor_id', 'contacts', ['debtor_id', 'done'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contacts_debtor_id', table_name='contacts')
    op.create_index('ix_contacts_debtor_id', 'contacts', ['debtor_id'], unique=False)
