"""score sheet v2 fields, crosswalk and escalations

Indicators gain a red-flag level, N/A rule, critical reason, evidence checklist and their
crosswalk to the previous version; score-sheet versions name the version their crosswalk
refers to and the keys retired since. Escalation records (concerns a visiting team raises to
the national team) and their history.

Revision ID: e2a5b6c7d8e9
Revises: d1f4e5a6b7c8
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2a5b6c7d8e9'
down_revision = 'd1f4e5a6b7c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('seen_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('immediate_action', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user.id'], name=op.f('fk_escalation_acknowledged_by_id_user')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_escalation_closed_by_id_user')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_escalation_facility_id_facility')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_escalation_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['team_id'], ['peer_team.id'], name=op.f('fk_escalation_team_id_peer_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation'))
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_team_id'), ['team_id'], unique=False)

    op.create_table('escalation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_event_escalation_id_escalation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_escalation_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_event'))
    )
    with op.batch_alter_table('escalation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_event_escalation_id'), ['escalation_id'], unique=False)

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('na_rule_vi', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('na_rule_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('red_flag_at', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('critical_reason_vi', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('critical_reason_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('crosswalk_relation', sa.String(length=12), server_default='', nullable=False))
        batch_op.add_column(sa.Column('crosswalk_from', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('crosswalk_note_vi', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('crosswalk_note_en', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('score_sheet_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crosswalk_from_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired_keys', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('score_sheet_version', schema=None) as batch_op:
        batch_op.drop_column('retired_keys')
        batch_op.drop_column('crosswalk_from_version')

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('crosswalk_note_en')
        batch_op.drop_column('crosswalk_note_vi')
        batch_op.drop_column('crosswalk_from')
        batch_op.drop_column('crosswalk_relation')
        batch_op.drop_column('checklist')
        batch_op.drop_column('critical_reason_en')
        batch_op.drop_column('critical_reason_vi')
        batch_op.drop_column('red_flag_at')
        batch_op.drop_column('na_rule_en')
        batch_op.drop_column('na_rule_vi')

    with op.batch_alter_table('escalation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_event_escalation_id'))

    op.drop_table('escalation_event')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_team_id'))
        batch_op.drop_index(batch_op.f('ix_escalation_status'))
        batch_op.drop_index(batch_op.f('ix_escalation_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_escalation_facility_id'))

    op.drop_table('escalation')
