"""one self, agreed and team peer assessment per facility and round

Partial unique indexes on assessment: one self and one agreed assessment per round and
facility, one peer assessment per round, facility and team (a plain unique constraint
would let NULL team ids repeat). Follow-ups are not limited. Guards against two people
starting the same assessment at the same moment.

Revision ID: 1535770ee479
Revises: 371833b177e9
Create Date: 2026-11-28 22:04:16.149441

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1535770ee479'
down_revision = '371833b177e9'
branch_labels = None
depends_on = None

PEER = sa.text('team_id IS NOT NULL')
SELF_OR_AGREED = sa.text("kind IN ('self', 'agreed')")


def _refuse_duplicates():
    """Stop with a readable message instead of a bare index error when duplicates exist already."""
    duplicates = op.get_bind().execute(sa.text(
        "SELECT round_id, facility_id, kind, team_id, count(*) FROM assessment "
        "WHERE team_id IS NOT NULL OR kind IN ('self', 'agreed') "
        "GROUP BY round_id, facility_id, kind, team_id HAVING count(*) > 1"
    )).all()
    if duplicates:
        listed = "; ".join(f"round {r} facility {f} {k}{f' team {t}' if t else ''}: {n} rows"
                           for r, f, k, t, n in duplicates)
        raise RuntimeError(f"Duplicate assessments must be merged or deleted before upgrading: {listed}")


def upgrade():
    _refuse_duplicates()
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('uq_assessment_peer', ['round_id', 'facility_id', 'team_id'], unique=True,
                              sqlite_where=PEER, postgresql_where=PEER)
        batch_op.create_index('uq_assessment_self_agreed', ['round_id', 'facility_id', 'kind'], unique=True,
                              sqlite_where=SELF_OR_AGREED, postgresql_where=SELF_OR_AGREED)


def downgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_self_agreed', sqlite_where=SELF_OR_AGREED, postgresql_where=SELF_OR_AGREED)
        batch_op.drop_index('uq_assessment_peer', sqlite_where=PEER, postgresql_where=PEER)
