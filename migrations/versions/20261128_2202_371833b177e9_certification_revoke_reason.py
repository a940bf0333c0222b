"""certification revoke reason

The reason a certification was revoked gets a column of its own. It used to be
appended to ``note`` after a marker line; upgrading moves it out of the note, and
downgrading puts it back the old way.

Revision ID: 371833b177e9
Revises: b114e68b3d2a
Create Date: 2026-11-28 22:02:28.579059

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '371833b177e9'
down_revision = 'b114e68b3d2a'
branch_labels = None
depends_on = None

#: How the reason was stored in ``note`` before this revision.
REVOCATION_MARK = "\n\n--- revocation reason ---\n"

certification = sa.table(
    'certification',
    sa.column('id', sa.Integer),
    sa.column('note', sa.Text),
    sa.column('revoke_reason', sa.Text),
)


def upgrade():
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=False, server_default=''))

    conn = op.get_bind()
    rows = conn.execute(
        sa.select(certification.c.id, certification.c.note).where(certification.c.note.contains(REVOCATION_MARK))
    ).all()
    for id_, note in rows:
        kept, _mark, reason = note.partition(REVOCATION_MARK)
        conn.execute(certification.update().where(certification.c.id == id_).values(note=kept, revoke_reason=reason))

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.alter_column('revoke_reason', existing_type=sa.Text(), existing_nullable=False, server_default=None)


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(certification.c.id, certification.c.note, certification.c.revoke_reason)
        .where(certification.c.revoke_reason != '')
    ).all()
    for id_, note, reason in rows:
        conn.execute(certification.update().where(certification.c.id == id_)
                     .values(note=f"{note or ''}{REVOCATION_MARK}{reason}"))

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_column('revoke_reason')
