"""queue lanes for chats that lost their counsellor; an index for the retention check

Revision ID: c4a7e1d2f903
Revises: 94320e2ec48f
Create Date: 2026-12-02 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a7e1d2f903'
down_revision = '94320e2ec48f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_lane', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('requeued_at', sa.DateTime(), nullable=True))
        batch_op.drop_index('ix_conversations_status_requested')
        batch_op.create_index('ix_conversations_queue_order', ['status', 'queue_lane', 'requested_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_conversations_unpurged', ['ended_at'], unique=False,
                              sqlite_where=sa.text('token_hash IS NOT NULL'),
                              postgresql_where=sa.text('token_hash IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_unpurged')
        batch_op.drop_index('ix_conversations_queue_order')
        batch_op.create_index('ix_conversations_status_requested', ['status', 'requested_at', 'id'], unique=False)
        batch_op.drop_column('requeued_at')
        batch_op.drop_column('queue_lane')
