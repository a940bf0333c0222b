"""improvement plans and follow-up visits

Improvement plans drawn from the finalised agreed result (plans, costed actions linked to
indicators, progress notes, the change history, skills for capacity building and the
training sessions that answer them) and follow-up visits that record per action whether
it was implemented.

Revision ID: c9e3d2f1a0b8
Revises: b8d2c1e0f9a7
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e3d2f1a0b8'
down_revision = 'b8d2c1e0f9a7'
branch_labels = None
depends_on = None

#: At most one follow-up visit of a plan is not submitted (see followups.models.FollowUpVisit).
OPEN_VISIT = sa.text("status != 'submitted'")


def upgrade():
    op.create_table('skill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill')),
    sa.UniqueConstraint('key', name=op.f('uq_skill_key'))
    )
    op.create_table('improvement_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('agreed_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreed_id'], ['assessment.id'], name=op.f('fk_improvement_plan_agreed_id_assessment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_improvement_plan_created_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_improvement_plan_decided_by_id_user')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_improvement_plan_facility_id_facility')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_improvement_plan_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_plan')),
    sa.UniqueConstraint('facility_id', 'round_id', name='uq_improvement_plan_facility_round')
    )
    with op.batch_alter_table('improvement_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_plan_agreed_id'), ['agreed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_plan_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_plan_round_id'), ['round_id'], unique=False)

    op.create_table('follow_up_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_follow_up_visit_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_follow_up_visit_created_by_id_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_follow_up_visit_plan_id_improvement_plan')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_follow_up_visit_submitted_by_id_user')),
    sa.ForeignKeyConstraint(['team_id'], ['peer_team.id'], name=op.f('fk_follow_up_visit_team_id_peer_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_visit'))
    )
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_visit_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_visit_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_visit_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_follow_up_visit_open_plan', ['plan_id'], unique=True,
                              sqlite_where=OPEN_VISIT, postgresql_where=OPEN_VISIT)

    op.create_table('plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_role', sa.String(length=32), nullable=False),
    sa.Column('responsible_name', sa.String(length=200), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('cost_vnd', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('drop_reason', sa.Text(), nullable=False),
    sa.Column('case_keys', sa.String(length=400), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_plan_action_plan_id_improvement_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['local_practice.id'], name=op.f('fk_plan_action_practice_id_local_practice')),
    sa.ForeignKeyConstraint(['skill_id'], ['skill.id'], name=op.f('fk_plan_action_skill_id_skill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action'))
    )
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_action_skill_id'), ['skill_id'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_plan_event_plan_id_improvement_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_plan_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_event_plan_id'), ['plan_id'], unique=False)

    op.create_table('action_progress_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_action_progress_note_action_id_plan_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_action_progress_note_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress_note'))
    )
    with op.batch_alter_table('action_progress_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_progress_note_action_id'), ['action_id'], unique=False)

    op.create_table('follow_up_action_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_follow_up_action_result_action_id_plan_action')),
    sa.ForeignKeyConstraint(['visit_id'], ['follow_up_visit.id'], name=op.f('fk_follow_up_action_result_visit_id_follow_up_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_action_result')),
    sa.UniqueConstraint('visit_id', 'action_id', name='uq_follow_up_action_result_visit_action')
    )
    with op.batch_alter_table('follow_up_action_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_action_result_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_action_result_visit_id'), ['visit_id'], unique=False)

    op.create_table('plan_action_indicator',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_plan_action_indicator_action_id_plan_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_plan_action_indicator_indicator_id_indicator')),
    sa.PrimaryKeyConstraint('action_id', 'indicator_id', name=op.f('pk_plan_action_indicator'))
    )
    op.create_table('training_session_action',
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_training_session_action_action_id_plan_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['training_session.id'], name=op.f('fk_training_session_action_training_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('training_id', 'action_id', name=op.f('pk_training_session_action'))
    )


def downgrade():
    op.drop_table('training_session_action')
    op.drop_table('plan_action_indicator')
    with op.batch_alter_table('follow_up_action_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_action_result_visit_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_action_result_action_id'))

    op.drop_table('follow_up_action_result')
    with op.batch_alter_table('action_progress_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_progress_note_action_id'))

    op.drop_table('action_progress_note')
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_event_plan_id'))

    op.drop_table('plan_event')
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_skill_id'))
        batch_op.drop_index(batch_op.f('ix_plan_action_plan_id'))

    op.drop_table('plan_action')
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.drop_index('uq_follow_up_visit_open_plan', sqlite_where=OPEN_VISIT, postgresql_where=OPEN_VISIT)
        batch_op.drop_index(batch_op.f('ix_follow_up_visit_team_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_visit_plan_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_visit_assessment_id'))

    op.drop_table('follow_up_visit')
    with op.batch_alter_table('improvement_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_plan_round_id'))
        batch_op.drop_index(batch_op.f('ix_improvement_plan_facility_id'))
        batch_op.drop_index(batch_op.f('ix_improvement_plan_agreed_id'))

    op.drop_table('improvement_plan')
    op.drop_table('skill')
