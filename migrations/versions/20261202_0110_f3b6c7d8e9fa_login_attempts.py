"""login attempts

One row per login attempt (hashed account key, client address, time), counted in the
database so that parallel requests cannot bypass the lockout or the per-address throttle.

Revision ID: f3b6c7d8e9fa
Revises: e2a5b6c7d8e9
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b6c7d8e9fa'
down_revision = 'e2a5b6c7d8e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_account_key_created_at', ['account_key', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempt_address_created_at', ['address', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_address_created_at')
        batch_op.drop_index('ix_login_attempt_account_key_created_at')

    op.drop_table('login_attempt')
