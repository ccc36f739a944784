"""registrations, code lists, snippets, clbs, disciplines; the default lists and snippets (Dutch)

The default topics and results are those of the annual report (DOMAIN.md, seeds/001_...); topics are
grouped under the four CLB guidance domains. Codes are stable and never reused.

Revision ID: ce46e2fd211b
Revises: c4a7e1d2f903
Create Date: 2026-12-02 13:30:39.519899

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce46e2fd211b'
down_revision = 'c4a7e1d2f903'
branch_labels = None
depends_on = None


# (code, label, group) in display order; group: the CLB guidance domain.
TOPICS = [
    ("study_method", "Studeren en plannen", "learning"),
    ("school_results", "Schoolresultaten", "learning"),
    ("learning_difficulties", "Leerproblemen", "learning"),
    ("exam_stress", "Examenstress", "learning"),
    ("school_fatigue", "Schoolmoeheid en spijbelen", "learning"),
    ("study_choice", "Studiekeuze", "study_choice"),
    ("change_course", "Van richting of school veranderen", "study_choice"),
    ("after_secondary", "Hoger onderwijs of werk", "study_choice"),
    ("relations", "Relaties en vriendschap", "wellbeing"),
    ("love", "Verliefdheid en liefdesverdriet", "wellbeing"),
    ("bullying", "Pesten", "wellbeing"),
    ("family", "Thuis en gezin", "wellbeing"),
    ("sexuality", "Seksualiteit", "wellbeing"),
    ("gender_identity", "Gender en identiteit", "wellbeing"),
    ("mood", "Gevoelens en somberheid", "wellbeing"),
    ("anxiety_stress", "Angst en stress", "wellbeing"),
    ("suicidal_thoughts", "Zelfmoordgedachten", "wellbeing"),
    ("self_harm", "Zelfverwonding", "wellbeing"),
    ("abuse", "Geweld en misbruik", "wellbeing"),
    ("grief", "Rouw en verlies", "wellbeing"),
    ("alcohol_drugs", "Alcohol en drugs", "wellbeing"),
    ("online", "Online: sociale media en gamen", "wellbeing"),
    ("physical_health", "Lichamelijke gezondheid", "health"),
    ("eating", "Eten en gewicht", "health"),
    ("sleep", "Slaap", "health"),
    ("contraception_pregnancy", "Anticonceptie en zwangerschap", "health"),
    ("clb_health_checks", "Medisch onderzoek en vaccinaties (CLB)", "health"),
    ("other", "Iets anders", None),
]
RESULTS = [
    ("info_advice", "Informatie en advies"),
    ("emotional_support", "Emotionele ondersteuning"),
    ("referral_clb", "Doorverwijzing naar het CLB"),
    ("referral_partner", "Doorverwijzing naar andere partners"),
    ("referral_onderwijskiezer", "Doorverwijzing naar Onderwijskiezer"),
    ("no_referral_wanted", "Geen doorverwijzing gewenst"),
]
# The library's first snippets; `last_checked` stays empty until a coordinator has checked the details.
SNIPPETS = [
    ("Je eigen CLB", "Je kan ook met je eigen CLB praten: elke school heeft er een. Vraag op school welk CLB "
     "bij je school hoort, of zoek het op de website van je school. Je kan hen bellen, mailen of langsgaan, "
     "ook samen met iemand die je vertrouwt.", "doorverwijzing", None, None, None, "referral_clb"),
    ("Awel 102", "Bij Awel kan je gratis en anoniem praten over alles wat je bezighoudt: bel 102 of chat via "
     "www.awel.be.", "doorverwijzing", "Awel", "102", "https://www.awel.be", "referral_partner"),
    ("Zelfmoordlijn 1813", "Denk je aan zelfmoord, of maak je je zorgen om iemand? Bel de Zelfmoordlijn op 1813 "
     "(gratis, dag en nacht) of chat via www.zelfmoord1813.be.", "doorverwijzing", "Zelfmoordlijn 1813", "1813",
     "https://www.zelfmoord1813.be", "referral_partner"),
    ("Tele-Onthaal 106", "Tele-Onthaal is er dag en nacht om te praten: bel 106 of chat via www.tele-onthaal.be.",
     "doorverwijzing", "Tele-Onthaal", "106", "https://www.tele-onthaal.be", "referral_partner"),
    ("Onderwijskiezer", "Op www.onderwijskiezer.be vind je alle studierichtingen en opleidingen, met tests die "
     "je helpen kiezen.", "doorverwijzing", "Onderwijskiezer", None, "https://www.onderwijskiezer.be",
     "referral_onderwijskiezer"),
    ("112", "Is er nu gevaar voor jou of voor iemand anders? Bel meteen 112.", "noodgeval", "Noodnummer 112",
     "112", None, "referral_partner"),
    # Suggested by the duration aid when a chat reaches 45 minutes.
    ("Afronden", "We zijn al een hele tijd aan het praten. Ik stel voor dat we het gesprek straks afronden. "
     "Wil je nog iets kwijt voor we stoppen? Je kan altijd opnieuw chatten, of met je eigen CLB verder praten.",
     "afsluiten", None, None, None, None),
]


def upgrade():
    
    op.create_table('clbs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('network', sa.String(length=24), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('code_lists',
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('code_options',
    sa.Column('list_name', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('added_in', sa.Integer(), nullable=False),
    sa.Column('retired_in', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['list_name'], ['code_lists.name'], ),
    sa.PrimaryKeyConstraint('list_name', 'code')
    )
    op.create_table('snippets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('partner_name', sa.String(length=80), nullable=True),
    sa.Column('partner_phone', sa.String(length=40), nullable=True),
    sa.Column('partner_url', sa.String(length=300), nullable=True),
    sa.Column('last_checked', sa.Date(), nullable=True),
    sa.Column('result_code', sa.String(length=40), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('registrations',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('visitor_type', sa.String(length=8), nullable=False),
    sa.Column('age', sa.SmallInteger(), nullable=True),
    sa.Column('prank', sa.Boolean(), nullable=False),
    sa.Column('crisis', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('topics_version', sa.Integer(), nullable=False),
    sa.Column('results_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counsellor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    op.create_table('registration_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('previous_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['registrations.conversation_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_changes_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('registration_codes',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['registrations.conversation_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'list_name', 'code')
    )
    with op.batch_alter_table('registration_codes', schema=None) as batch_op:
        batch_op.create_index('ix_registration_codes_code', ['list_name', 'code'], unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crisis_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discipline', sa.String(length=20), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('home_clb_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_users_home_clb_id_clbs", 'clbs', ['home_clb_id'], ['id'])

    _insert_defaults()

    


def downgrade():
    
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint("fk_users_home_clb_id_clbs", type_="foreignkey")
        batch_op.drop_column('home_clb_id')
        batch_op.drop_column('discipline')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('crisis_at')

    with op.batch_alter_table('registration_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_codes_code')

    op.drop_table('registration_codes')
    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_changes_conversation_id'))

    op.drop_table('registration_changes')
    op.drop_table('registrations')
    op.drop_table('snippets')
    op.drop_table('code_options')
    op.drop_table('code_lists')
    op.drop_table('clbs')
    


def _insert_defaults():
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, like every time column
    lists = sa.table("code_lists", sa.column("name"), sa.column("version"), sa.column("changed_at"))
    options = sa.table("code_options", sa.column("list_name"), sa.column("code"), sa.column("label"),
                       sa.column("group_code"), sa.column("position"), sa.column("added_in"))
    snippets = sa.table("snippets", sa.column("title"), sa.column("body"), sa.column("category"),
                        sa.column("partner_name"), sa.column("partner_phone"), sa.column("partner_url"),
                        sa.column("result_code"), sa.column("updated_at"))
    op.execute(lists.insert().values([{"name": "topics", "version": 1, "changed_at": now},
                                      {"name": "results", "version": 1, "changed_at": now}]))
    op.bulk_insert(options, [
        {"list_name": "topics", "code": code, "label": label, "group_code": group, "position": i, "added_in": 1}
        for i, (code, label, group) in enumerate(TOPICS)
    ] + [
        {"list_name": "results", "code": code, "label": label, "group_code": None, "position": i, "added_in": 1}
        for i, (code, label) in enumerate(RESULTS)
    ])
    op.execute(snippets.insert().values([
        {"title": title, "body": body, "category": category, "partner_name": partner, "partner_phone": phone,
         "partner_url": url, "result_code": result, "updated_at": now}
        for title, body, category, partner, phone, url, result in SNIPPETS
    ]))
