"""the staff side of a chat: participations, hand-overs, the staff thread, message authors; the board

Revision ID: a81c3f6e0d24
Revises: 5d1f0a9c3e72
Create Date: 2026-12-02 17:00:00

Existing chats get what the new model would have recorded: each staff message its author (the chat's
counsellor, the only one who could write), each picked-up chat an owner stint from pick-up to end.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a81c3f6e0d24'
down_revision = '5d1f0a9c3e72'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'participations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('left_at', sa.DateTime(), nullable=True),
        sa.Column('left_because', sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index('ix_participations_conversation', ['conversation_id', 'left_at'], unique=False)
        batch_op.create_index('ix_participations_user', ['user_id', 'left_at'], unique=False)

    op.create_table(
        'handovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('from_user_id', sa.Integer(), nullable=False),
        sa.Column('to_user_id', sa.Integer(), nullable=True),
        sa.Column('to_group', sa.String(length=20), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('offered_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.ForeignKeyConstraint(['from_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['to_user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index('ix_handovers_conversation', ['conversation_id', 'outcome'], unique=False)
        batch_op.create_index('ix_handovers_open', ['expires_at'], unique=False,
                              sqlite_where=sa.text('outcome IS NULL'), postgresql_where=sa.text('outcome IS NULL'))

    op.create_table(
        'staff_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('conversation_id', 'author_id', 'client_id', name='uq_staff_messages_client_id'),
        sa.UniqueConstraint('conversation_id', 'seq', name='uq_staff_messages_seq'),
    )

    op.create_table(
        'board_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('nickname', sa.String(length=24), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('board_notes', schema=None) as batch_op:
        batch_op.create_index('ix_board_notes_expires_at', ['expires_at'], unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_staff_seq', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.alter_column('sender', existing_type=sa.String(length=10), type_=sa.String(length=11),
                              existing_nullable=False)
        batch_op.create_foreign_key('fk_messages_author_id_users', 'users', ['author_id'], ['id'])

    op.execute(
        "UPDATE messages SET author_id = (SELECT counsellor_id FROM conversations"
        " WHERE conversations.id = messages.conversation_id) WHERE sender = 'counsellor'"
    )
    op.execute(
        "INSERT INTO participations (conversation_id, user_id, role, joined_at, left_at, left_because)"
        " SELECT id, counsellor_id, 'owner', picked_up_at, ended_at,"
        " CASE WHEN ended_at IS NULL THEN NULL ELSE 'ended' END"
        " FROM conversations WHERE counsellor_id IS NOT NULL AND picked_up_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_messages_author_id_users', type_='foreignkey')
        batch_op.alter_column('sender', existing_type=sa.String(length=11), type_=sa.String(length=10),
                              existing_nullable=False)
        batch_op.drop_column('author_id')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('last_staff_seq')
    op.drop_table('board_notes')
    op.drop_table('staff_messages')
    op.drop_table('handovers')
    op.drop_table('participations')
