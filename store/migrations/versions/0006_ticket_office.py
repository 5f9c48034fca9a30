"""tickets belong to an office (C9)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00

- tickets.office_id: the office the question is about: the office of the booking it refers to,
  else of the person's current booking or waitlist place, else of their latest booking. A ticket
  with none (a person who never booked) is answered by any office. Existing tickets are filled
  in by the same rule.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_office_id_offices"), "offices", ["office_id"], ["id"]
        )
        batch_op.create_index("ix_tickets_office_status", ["office_id", "status"], unique=False)
    # Existing tickets: the office of the person's latest booking, else of their latest place.
    op.execute(
        """
        UPDATE tickets SET office_id = COALESCE(
            (SELECT b.office_id FROM bookings b WHERE b.applicant_id = tickets.applicant_id
             ORDER BY b.id DESC LIMIT 1),
            (SELECT w.office_id FROM waitlist_entries w WHERE w.applicant_id = tickets.applicant_id
             ORDER BY w.id DESC LIMIT 1))
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_office_status")
        batch_op.drop_constraint(batch_op.f("fk_tickets_office_id_offices"), type_="foreignkey")
        batch_op.drop_column("office_id")
