"""stored agreement summaries

The self/peer pair counts of a round's national table, stored with the fingerprint of what they
were counted from and reused while a fresh fingerprint matches (issue 12:
shelterassess/comparisons/agreement_store.py). Derived data: never audited.

Revision ID: e8a1b2c3d4f5
Revises: d7f0a1b2c3de
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8a1b2c3d4f5'
down_revision = 'd7f0a1b2c3de'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('counts', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_agreement_summary_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_summary')),
    sa.UniqueConstraint('round_id', 'scope', name=op.f('uq_agreement_summary_round_id'))
    )


def downgrade():
    op.drop_table('agreement_summary')
