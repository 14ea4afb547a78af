"""licensing tracker: requirements, checklists, checks, visits, licenses

Revision ID: 543818033186
Revises: 0a950820c93f
Create Date: 2026-11-23 05:08:29.995781
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '543818033186'
down_revision: str | None = '0a950820c93f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The default requirements (../shared/domain.md): a new agency can work at once; admins edit them afterwards.
# (code, type, scope, stage, title_en, title_es, explanation_en, explanation_es, hours, due_days, renews_months,
#  for_renewal, applies_if)
DEFAULT_REQUIREMENTS = [
    ("preservice_training", "training_hours", "each_applicant", "training",
     "Pre-service training (about 30 hours)", "Capacitación previa (unas 30 horas)",
     "A series of classes, such as TIPS-MAPP, about caring for children who lived through trauma.",
     "Una serie de clases, como TIPS-MAPP, sobre el cuidado de niños que vivieron traumas.", 30, 120, None, False, ""),
    ("cpr_first_aid", "document", "each_applicant", "training",
     "CPR and First Aid certificate", "Certificado de RCP y primeros auxilios",
     "Upload your current certificate. It must be renewed every two years.",
     "Suba su certificado vigente. Se renueva cada dos años.", None, 120, 24, False, ""),
    ("background_checks", "background_check", "each_adult", "background",
     "Background checks", "Verificaciones de antecedentes",
     "Fingerprints and registry checks for every adult who lives in the home.",
     "Huellas digitales y verificación de registros para cada adulto que vive en el hogar.", None, 90, None, False, ""),
    ("medical_statement", "document", "each_applicant", "documents",
     "Medical statement", "Constancia médica",
     "A statement from your doctor that you are healthy enough to care for children.",
     "Una constancia de su médico de que tiene la salud para cuidar niños.", None, 60, None, False, ""),
    ("pet_vaccinations", "document", "household", "documents",
     "Pet vaccination records", "Registros de vacunas de las mascotas",
     "Current rabies and other vaccinations for every pet.", "Vacunas vigentes, incluida la de rabia, de cada mascota.",
     None, 60, 12, False, "pets"),
    ("auto_insurance", "document", "household", "documents",
     "Proof of auto insurance", "Comprobante de seguro de auto",
     "Needed because you will drive children.", "Se necesita porque usted llevará niños en auto.",
     None, 60, 12, False, "transport"),
    ("home_safety_inspection", "inspection", "household", "home_safety",
     "Home safety inspection", "Inspección de seguridad del hogar",
     "Your homefinder checks smoke and CO detectors, locked medications and firearms, water safety, beds and the "
     "emergency plan. Use the self-check to get ready.",
     "Su especialista revisa detectores de humo y monóxido de carbono, medicinas y armas bajo llave, seguridad en el "
     "agua, camas y el plan de emergencia. Use la autoevaluación para prepararse.", None, 90, 12, False, ""),
    ("safety_correction", "inspection", "household", "home_safety",
     "Home safety correction", "Corrección de seguridad del hogar",
     "Something the inspection asked you to fix.", "Algo que la inspección le pidió corregir.",
     None, 30, None, False, "correction"),
    ("individual_interview", "visit", "each_applicant", "home_study",
     "Individual interview", "Entrevista individual",
     "A conversation with your homefinder, one applicant at a time.",
     "Una conversación con su especialista, un solicitante a la vez.", None, 120, None, False, ""),
    ("joint_interview", "visit", "household", "home_study",
     "Joint interview at home", "Entrevista conjunta en el hogar",
     "A visit with everyone in the home.", "Una visita con todas las personas del hogar.", None, 150, None, False, ""),
    ("home_study_approval", "signature", "household", "home_study",
     "Home study approved", "Estudio del hogar aprobado",
     "Your homefinder writes the home study; a supervisor approves it.",
     "Su especialista escribe el estudio del hogar y un supervisor lo aprueba.", None, 180, None, False, ""),
    ("fingerprinting_fee", "fee", "each_adult", "fees",
     "Fingerprinting fee", "Pago de huellas digitales",
     "Paid at the fingerprinting site or to the agency; the agency may waive it.",
     "Se paga en el lugar de huellas o a la agencia; la agencia puede exonerarlo.", None, 90, None, False, ""),
    ("annual_training", "training_hours", "each_applicant", "renewal",
     "Annual in-service training (12 hours)", "Capacitación anual (12 horas)",
     "Twelve hours of training each year keep your license current.",
     "Doce horas de capacitación al año mantienen su licencia vigente.", 12, 330, 12, True, ""),
    ("annual_safety_inspection", "inspection", "household", "renewal",
     "Annual home safety inspection", "Inspección anual de seguridad del hogar",
     "The safety inspection is repeated before each renewal.",
     "La inspección de seguridad se repite antes de cada renovación.", None, 330, 12, True, ""),
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('threshold', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('item_key', 'threshold', name=op.f('uq_reminder_sent_item_key'))
    )
    op.create_table('requirement_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('type', sa.Enum('document', 'training_hours', 'background_check', 'inspection', 'visit', 'signature', 'fee', name='requirement_type', native_enum=False, length=32), nullable=False),
    sa.Column('scope', sa.Enum('household', 'each_applicant', 'each_adult', name='requirement_scope', native_enum=False, length=32), nullable=False),
    sa.Column('stage', sa.Enum('application', 'training', 'background', 'documents', 'home_safety', 'home_study', 'fees', 'renewal', name='requirement_stage', native_enum=False, length=32), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_es', sa.String(length=200), nullable=False),
    sa.Column('explanation_en', sa.Text(), nullable=False),
    sa.Column('explanation_es', sa.Text(), nullable=False),
    sa.Column('hours_required', sa.Integer(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('renews_every_months', sa.Integer(), nullable=True),
    sa.Column('for_renewal', sa.Boolean(), nullable=False),
    sa.Column('applies_if', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_template')),
    sa.UniqueConstraint('code', name=op.f('uq_requirement_template_code'))
    )
    op.create_table('home_study_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_home_study_report_application_id_application')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_home_study_report_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_home_study_report_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_study_report')),
    sa.UniqueConstraint('application_id', name=op.f('uq_home_study_report_application_id'))
    )
    op.create_table('home_study_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('individual_interview', 'joint_interview', 'home_safety_inspection', name='visit_kind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'scheduled', 'completed', 'cancelled', name='visit_status', native_enum=False, length=32), nullable=False),
    sa.Column('homefinder_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_home_study_visit_application_id_application')),
    sa.ForeignKeyConstraint(['homefinder_id'], ['user_account.id'], name=op.f('fk_home_study_visit_homefinder_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_study_visit'))
    )
    with op.batch_alter_table('home_study_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_study_visit_application_id'), ['application_id'], unique=False)

    op.create_table('license',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('type', sa.Enum('foster', 'foster_adopt', 'kinship', 'respite', name='license_type', native_enum=False, length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=False),
    sa.Column('age_max', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_license_application_id_application')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_license_household_id_household')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_license_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_license')),
    sa.UniqueConstraint('application_id', name=op.f('uq_license_application_id')),
    sa.UniqueConstraint('number', name=op.f('uq_license_number'))
    )
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_license_household_id'), ['household_id'], unique=False)

    op.create_table('safety_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('self_check', sa.Boolean(), nullable=False),
    sa.Column('result', sa.Enum('pass', 'needs_correction', 'not_applicable', name='safety_result', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_safety_check_application_id_application')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_safety_check_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_check')),
    sa.UniqueConstraint('application_id', 'item_code', 'self_check', name=op.f('uq_safety_check_application_id'))
    )
    with op.batch_alter_table('safety_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_check_application_id'), ['application_id'], unique=False)

    op.create_table('background_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('check_type', sa.Enum('state_criminal', 'fbi', 'state_registry', 'out_of_state_registry', 'sex_offender', name='check_type', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('status', sa.Enum('requested', 'pending', 'needs_review', 'cleared', 'exemption_required', 'exemption_granted', 'exemption_denied', 'non_exemptible', 'not_applicable', name='check_status', native_enum=False, length=32), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_background_check_application_id_application')),
    sa.ForeignKeyConstraint(['member_id'], ['household_member.id'], name=op.f('fk_background_check_member_id_household_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_background_check_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_check')),
    sa.UniqueConstraint('member_id', 'check_type', 'state', name=op.f('uq_background_check_member_id'))
    )
    with op.batch_alter_table('background_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_check_application_id'), ['application_id'], unique=False)

    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'submitted', 'approved', 'returned', 'waived', 'expired', name='item_status', native_enum=False, length=32), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('hours_completed', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=20), nullable=False),
    sa.Column('receipt_number', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('custom_title', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_checklist_item_application_id_application')),
    sa.ForeignKeyConstraint(['member_id'], ['household_member.id'], name=op.f('fk_checklist_item_member_id_household_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['requirement_template.id'], name=op.f('fk_checklist_item_template_id_requirement_template')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_checklist_item_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('application_id', 'template_id', 'member_id', 'cycle', name=op.f('uq_checklist_item_application_id'))
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_application_id'), ['application_id'], unique=False)

    op.create_table('visit_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['home_study_visit.id'], name=op.f('fk_visit_slot_visit_id_home_study_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_slot'))
    )
    with op.batch_alter_table('visit_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_slot_visit_id'), ['visit_id'], unique=False)

    op.create_table('checklist_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_checklist_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_checklist_event_application_id_application')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_checklist_event_item_id_checklist_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_event'))
    )
    with op.batch_alter_table('checklist_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_event_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_event_item_id'), ['item_id'], unique=False)

    # ### end Alembic commands ###


    templates = sa.table(
        "requirement_template", sa.column("code"), sa.column("type"), sa.column("scope"), sa.column("stage"),
        sa.column("title_en"), sa.column("title_es"), sa.column("explanation_en"), sa.column("explanation_es"),
        sa.column("hours_required"), sa.column("due_days"), sa.column("renews_every_months"),
        sa.column("for_renewal"), sa.column("applies_if"), sa.column("active"), sa.column("position"),
    )
    keys = ["code", "type", "scope", "stage", "title_en", "title_es", "explanation_en", "explanation_es",
            "hours_required", "due_days", "renews_every_months", "for_renewal", "applies_if"]
    op.bulk_insert(templates, [dict(zip(keys, row, strict=True), active=True, position=index * 10)
                               for index, row in enumerate(DEFAULT_REQUIREMENTS)])


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('checklist_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_event_item_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_event_application_id'))

    op.drop_table('checklist_event')
    with op.batch_alter_table('visit_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_slot_visit_id'))

    op.drop_table('visit_slot')
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_application_id'))

    op.drop_table('checklist_item')
    with op.batch_alter_table('background_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_check_application_id'))

    op.drop_table('background_check')
    with op.batch_alter_table('safety_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_check_application_id'))

    op.drop_table('safety_check')
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_license_household_id'))

    op.drop_table('license')
    with op.batch_alter_table('home_study_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_study_visit_application_id'))

    op.drop_table('home_study_visit')
    op.drop_table('home_study_report')
    op.drop_table('requirement_template')
    op.drop_table('reminder_sent')
    # ### end Alembic commands ###
