"""certification override reason

Certifying an assessor needs a passed calibration attempt since their last attended
training; the national team may certify without one, and then records why. Existing
certifications get an empty reason (they were made under the old rule, no override).

Revision ID: a7c1b0d2e3f4
Revises: 1535770ee479
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c1b0d2e3f4'
down_revision = '1535770ee479'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.alter_column('override_reason', existing_type=sa.Text(), existing_nullable=False,
                              server_default=None)


def downgrade():
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
