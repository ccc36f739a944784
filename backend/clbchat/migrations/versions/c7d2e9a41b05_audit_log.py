"""the audit log: who saw or did what with a chat, append-only (triggers refuse UPDATE and DELETE)

Revision ID: c7d2e9a41b05
Revises: fb96c73d3e2d
Create Date: 2026-12-02 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d2e9a41b05'
down_revision = 'fb96c73d3e2d'
branch_labels = None
depends_on = None

REFUSE = "the audit log is append-only"


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.ForeignKeyConstraint(['subject_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_actor', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_conversation', ['conversation_id', 'at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSE}'; END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
            FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON audit_entries
                BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_table('audit_entries')
