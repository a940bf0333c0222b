"""paper double entry

Two blind entries of a paper score sheet per assessment (a follow-up visit's sheet is keyed by
the visit's follow-up assessment), their answers, and the resolution chosen indicator by
indicator before the scores are saved into the assessment (docs/paper.md).

Revision ID: b5d8e9f0a1bc
Revises: a4c7d8e9f0ab
Create Date: 2026-12-02 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d8e9f0a1bc'
down_revision = 'a4c7d8e9f0ab'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('check_code', sa.String(length=8), nullable=False),
    sa.CheckConstraint('number IN (1, 2)', name=op.f('ck_paper_entry_number_range')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_paper_entry_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_paper_entry_entered_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entry')),
    sa.UniqueConstraint('assessment_id', 'number', name='uq_paper_entry_assessment_number')
    )
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entry_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('paper_resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_paper_resolution_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_paper_resolution_resolved_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_resolution')),
    sa.UniqueConstraint('assessment_id', name='uq_paper_resolution_assessment')
    )
    op.create_table('paper_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('NOT (not_applicable AND value IS NOT NULL)', name=op.f('ck_paper_answer_value_or_na')),
    sa.CheckConstraint('value IS NULL OR (value >= 0 AND value <= 3)', name=op.f('ck_paper_answer_value_range')),
    sa.ForeignKeyConstraint(['entry_id'], ['paper_entry.id'], name=op.f('fk_paper_answer_entry_id_paper_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_paper_answer_indicator_id_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_answer')),
    sa.UniqueConstraint('entry_id', 'indicator_id', name='uq_paper_answer_entry_indicator')
    )
    with op.batch_alter_table('paper_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_answer_entry_id'), ['entry_id'], unique=False)
    op.create_table('paper_resolved_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("source IN ('both', 'first', 'second', 'other')", name=op.f('ck_paper_resolved_answer_source_known')),
    sa.CheckConstraint('NOT (not_applicable AND value IS NOT NULL)', name=op.f('ck_paper_resolved_answer_value_or_na')),
    sa.CheckConstraint('value IS NULL OR (value >= 0 AND value <= 3)', name=op.f('ck_paper_resolved_answer_value_range')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_paper_resolved_answer_indicator_id_indicator')),
    sa.ForeignKeyConstraint(['resolution_id'], ['paper_resolution.id'], name=op.f('fk_paper_resolved_answer_resolution_id_paper_resolution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_resolved_answer')),
    sa.UniqueConstraint('resolution_id', 'indicator_id', name='uq_paper_resolved_answer_resolution_indicator')
    )
    with op.batch_alter_table('paper_resolved_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_resolved_answer_resolution_id'), ['resolution_id'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_resolved_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_resolved_answer_resolution_id'))
    op.drop_table('paper_resolved_answer')
    with op.batch_alter_table('paper_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_answer_entry_id'))
    op.drop_table('paper_answer')
    op.drop_table('paper_resolution')
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entry_assessment_id'))
    op.drop_table('paper_entry')
