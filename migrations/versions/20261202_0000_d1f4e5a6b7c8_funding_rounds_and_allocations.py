"""funding rounds and allocations

National fund allocation (issue 9): funding rounds (budget, rounding unit, the rule's
parameters, envelopes per category, draft -> approved -> reopened), the snapshot of the
facilities a proposal was computed from, one allocation line per facility and category
(request, proposed and adjusted amounts in whole đồng, the reason), scenarios and the history.

Revision ID: d1f4e5a6b7c8
Revises: c9e3d2f1a0b8
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1f4e5a6b7c8'
down_revision = 'c9e3d2f1a0b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funding_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('budget_vnd', sa.BigInteger(), nullable=False),
    sa.Column('rounding_unit_vnd', sa.BigInteger(), nullable=False),
    sa.Column('red_flag_weight', sa.Integer(), nullable=False),
    sa.Column('use_capacity', sa.Boolean(), nullable=False),
    sa.Column('envelope_capacity_building_vnd', sa.BigInteger(), nullable=True),
    sa.Column('envelope_facilities_improvement_vnd', sa.BigInteger(), nullable=True),
    sa.Column('envelope_other_vnd', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposal_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_funding_round_approved_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_funding_round_created_by_id_user')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_funding_round_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_round')),
    sa.UniqueConstraint('name', name=op.f('uq_funding_round_name'))
    )
    with op.batch_alter_table('funding_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_round_round_id'), ['round_id'], unique=False)

    op.create_table('funding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_funding_event_facility_id_facility')),
    sa.ForeignKeyConstraint(['funding_round_id'], ['funding_round.id'], name=op.f('fk_funding_event_funding_round_id_funding_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_funding_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_event'))
    )
    with op.batch_alter_table('funding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_event_funding_round_id'), ['funding_round_id'], unique=False)

    op.create_table('funding_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('red_flag_weight', sa.Integer(), nullable=False),
    sa.Column('use_capacity', sa.Boolean(), nullable=False),
    sa.Column('envelope_capacity_building_vnd', sa.BigInteger(), nullable=True),
    sa.Column('envelope_facilities_improvement_vnd', sa.BigInteger(), nullable=True),
    sa.Column('envelope_other_vnd', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_funding_scenario_created_by_id_user')),
    sa.ForeignKeyConstraint(['funding_round_id'], ['funding_round.id'], name=op.f('fk_funding_scenario_funding_round_id_funding_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_scenario')),
    sa.UniqueConstraint('funding_round_id', 'name', name='uq_funding_scenario_round_name')
    )
    with op.batch_alter_table('funding_scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_scenario_funding_round_id'), ['funding_round_id'], unique=False)

    op.create_table('funding_facility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_round_id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('agreed_id', sa.Integer(), nullable=True),
    sa.Column('overall_tenths', sa.Integer(), nullable=True),
    sa.Column('red_flags', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('added_by_hand', sa.Boolean(), nullable=False),
    sa.Column('added_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agreed_id'], ['assessment.id'], name=op.f('fk_funding_facility_agreed_id_assessment')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_funding_facility_facility_id_facility')),
    sa.ForeignKeyConstraint(['funding_round_id'], ['funding_round.id'], name=op.f('fk_funding_facility_funding_round_id_funding_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_facility')),
    sa.UniqueConstraint('funding_round_id', 'facility_id', name='uq_funding_facility_round_facility')
    )
    with op.batch_alter_table('funding_facility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_facility_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_facility_funding_round_id'), ['funding_round_id'], unique=False)

    op.create_table('allocation_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_facility_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('request_vnd', sa.BigInteger(), nullable=False),
    sa.Column('proposed_vnd', sa.BigInteger(), nullable=False),
    sa.Column('adjusted_vnd', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['funding_facility_id'], ['funding_facility.id'], name=op.f('fk_allocation_line_funding_facility_id_funding_facility'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_line')),
    sa.UniqueConstraint('funding_facility_id', 'category', name='uq_allocation_line_facility_category')
    )
    with op.batch_alter_table('allocation_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_line_funding_facility_id'), ['funding_facility_id'], unique=False)



def downgrade():
    with op.batch_alter_table('allocation_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_line_funding_facility_id'))

    op.drop_table('allocation_line')
    with op.batch_alter_table('funding_facility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_facility_funding_round_id'))
        batch_op.drop_index(batch_op.f('ix_funding_facility_facility_id'))

    op.drop_table('funding_facility')
    with op.batch_alter_table('funding_scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_scenario_funding_round_id'))

    op.drop_table('funding_scenario')
    with op.batch_alter_table('funding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_event_funding_round_id'))

    op.drop_table('funding_event')
    with op.batch_alter_table('funding_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_round_round_id'))

    op.drop_table('funding_round')
