"""release per facility, withdrawn assignments, actual visit date

Results are released per facility: the finalised agreed assessment carries its own
``released_at``/``released_by_id`` instead of one date on the round. Upgrading gives
every finalised agreed assessment of a released round that round's release date;
downgrading gives a round the latest release date of its results.

A team assignment can be withdrawn by the national team (who, when, why) and records
the actual visit date, with a note when it was not on the planned day.

Revision ID: b8d2c1e0f9a7
Revises: a7c1b0d2e3f4
Create Date: 2026-12-01 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2c1e0f9a7'
down_revision = 'a7c1b0d2e3f4'
branch_labels = None
depends_on = None

round_ = sa.table(
    'round',
    sa.column('id', sa.Integer),
    sa.column('results_released_at', sa.DateTime(timezone=True)),
)
assessment = sa.table(
    'assessment',
    sa.column('id', sa.Integer),
    sa.column('round_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('status', sa.String),
    sa.column('released_at', sa.DateTime(timezone=True)),
)


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('released_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_released_by_id_user'), 'user', ['released_by_id'], ['id'])

    with op.batch_alter_table('team_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visited_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('visit_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_team_assignment_withdrawn_by_id_user'), 'user',
                                    ['withdrawn_by_id'], ['id'])

    with op.batch_alter_table('team_assignment', schema=None) as batch_op:
        batch_op.alter_column('visit_note', existing_type=sa.Text(), existing_nullable=False, server_default=None)
        batch_op.alter_column('withdraw_reason', existing_type=sa.Text(), existing_nullable=False,
                              server_default=None)

    conn = op.get_bind()
    released = conn.execute(
        sa.select(round_.c.id, round_.c.results_released_at).where(round_.c.results_released_at.is_not(None))
    ).all()
    for round_id, released_at in released:
        conn.execute(assessment.update()
                     .where(assessment.c.round_id == round_id, assessment.c.kind == 'agreed',
                            assessment.c.status == 'submitted')
                     .values(released_at=released_at))

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('results_released_at')


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_released_at', sa.DateTime(timezone=True), nullable=True))

    conn = op.get_bind()
    latest = conn.execute(
        sa.select(assessment.c.round_id, sa.func.max(assessment.c.released_at))
        .where(assessment.c.released_at.is_not(None))
        .group_by(assessment.c.round_id)
    ).all()
    for round_id, released_at in latest:
        conn.execute(round_.update().where(round_.c.id == round_id).values(results_released_at=released_at))

    with op.batch_alter_table('team_assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_team_assignment_withdrawn_by_id_user'), type_='foreignkey')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('visit_note')
        batch_op.drop_column('visited_on')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_released_by_id_user'), type_='foreignkey')
        batch_op.drop_column('released_by_id')
        batch_op.drop_column('released_at')
