"""commission shares: distribution team members' parts of a transaction's commission

Revision ID: 0002_finance
Revises: 0001
Create Date: 2026-12-03 12:21:49.215129
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_finance'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commission_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), server_default='', nullable=False),
    sa.Column('team_id', sa.String(length=7), server_default='', nullable=False),
    sa.Column('operator_id', sa.String(length=7), server_default='', nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['transaction_id'], ['transactions.id'], name=op.f('fk_commission_shares_transaction_id_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_shares'))
    )
    with op.batch_alter_table('commission_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_shares_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commission_shares_transaction_id'), ['transaction_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('commission_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_shares_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_commission_shares_operator_id'))

    op.drop_table('commission_shares')
