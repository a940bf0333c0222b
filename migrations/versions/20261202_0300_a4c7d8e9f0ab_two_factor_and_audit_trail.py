"""two-factor login and the audit trail

* ``user``: the TOTP secret (encrypted), enrolment time, last used time step (codes are single
  use), and who reset it when and why; the old per-account counters ``failed_logins`` and
  ``locked_until`` go (``login_attempt`` replaced them).
* ``recovery_code``: one-time recovery codes, stored as SHA-256 only.
* ``audit_event``: the append-only audit trail. Triggers refuse UPDATE and DELETE (and TRUNCATE
  on PostgreSQL). The SQL is copied here from ``shelterassess/audit/models.py`` so that this
  migration stays as it ran, whatever the model later becomes.

Revision ID: a4c7d8e9f0ab
Revises: f3b6c7d8e9fa
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c7d8e9f0ab'
down_revision = 'f3b6c7d8e9fa'
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_email', sa.String(length=200), server_default='', nullable=False),
    sa.Column('role', sa.String(length=32), server_default='', nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('object_type', sa.String(length=40), server_default='', nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_facility_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), server_default='', nullable=False),
    sa.Column('endpoint', sa.String(length=100), server_default='', nullable=False),
    sa.Column('remote_address', sa.String(length=64), server_default='', nullable=False),
    sa.Column('outcome', sa.String(length=16), server_default='success', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_action_occurred_at', ['action', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_facility_id_occurred_at', ['facility_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_object_facility_id', ['object_facility_id'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_user_email_occurred_at', ['user_email', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_user_id_occurred_at', ['user_id', 'occurred_at'], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_encrypted', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_reset_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_reset_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('totp_reset_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_totp_reset_by_id_user'), 'user', ['totp_reset_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_user_totp_reset_by_id_user'), type_='foreignkey')
        batch_op.drop_column('totp_reset_reason')
        batch_op.drop_column('totp_reset_by_id')
        batch_op.drop_column('totp_reset_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_secret_encrypted')

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_user_id_occurred_at')
        batch_op.drop_index('ix_audit_event_user_email_occurred_at')
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.drop_index('ix_audit_event_object_facility_id')
        batch_op.drop_index('ix_audit_event_facility_id_occurred_at')
        batch_op.drop_index('ix_audit_event_action_occurred_at')

    op.drop_table('audit_event')  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
