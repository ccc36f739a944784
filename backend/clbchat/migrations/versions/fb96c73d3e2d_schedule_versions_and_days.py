"""opening hours as data: schedule versions (weekly hours and holiday rules, kept forever) and one-off days

Revision ID: fb96c73d3e2d
Revises: a81c3f6e0d24
Create Date: 2026-12-02 17:12:54

Both tables start empty: until a coordinator saves a first version, CHAT_HOURS is the schedule.
"""
from alembic import op
import sqlalchemy as sa


revision = 'fb96c73d3e2d'
down_revision = 'a81c3f6e0d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'schedule_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('expression', sa.String(length=500), nullable=False),
        sa.Column('note', sa.String(length=120), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.create_index('ix_schedule_versions_effective_from', ['effective_from', 'id'], unique=False)

    op.create_table(
        'schedule_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('hours', sa.String(length=100), nullable=True),
        sa.Column('reason', sa.String(length=120), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['removed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('schedule_days', schema=None) as batch_op:
        batch_op.create_index('ix_schedule_days_day', ['day', 'removed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('schedule_days', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_days_day')
    op.drop_table('schedule_days')
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_versions_effective_from')
    op.drop_table('schedule_versions')
