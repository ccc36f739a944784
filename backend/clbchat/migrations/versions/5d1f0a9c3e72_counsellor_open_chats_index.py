"""an index for each counsellor's open chats (free places in the estimates, the chat limit on take)

Revision ID: 5d1f0a9c3e72
Revises: ce46e2fd211b
Create Date: 2026-12-02 16:40:00

"""
from alembic import op


revision = '5d1f0a9c3e72'
down_revision = 'ce46e2fd211b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_counsellor_status', ['counsellor_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_counsellor_status')
