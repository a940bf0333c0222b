"""indexes for national-scale pages

The national comparison table finds each facility's agreed assessment of a round by
(round, kind, status, facility); the planned-visit and follow-up lists filter and sort by
visit dates and status in SQL (issue 12).

Revision ID: d7f0a1b2c3de
Revises: c6e9f0a1b2cd
Create Date: 2026-12-02 07:15:00

"""
from alembic import op
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd7f0a1b2c3de'
down_revision = 'c6e9f0a1b2cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_round_kind_status_facility', ['round_id', 'kind', 'status', 'facility_id'], unique=False)

    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_visit_status_planned_on', ['status', 'planned_on'], unique=False)
        batch_op.create_index('ix_follow_up_visit_visited_on', ['visited_on'], unique=False)

    with op.batch_alter_table('team_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_team_assignment_planned_visit_on', ['planned_visit_on'], unique=False)


def downgrade():
    with op.batch_alter_table('team_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_team_assignment_planned_visit_on')

    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_visit_visited_on')
        batch_op.drop_index('ix_follow_up_visit_status_planned_on')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_round_kind_status_facility')
