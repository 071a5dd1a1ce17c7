from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from .invitations import send_invitation
from .models import Member


@shared_task(
    name="members.send_invitation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=50,
)
def send_invitation_task(member_id: int) -> bool:
    member = Member.objects.filter(pk=member_id).first()
    return member is not None and send_invitation(member)


@shared_task(
    name="members.erase_due_members",
    ignore_result=True,
    time_limit=600,
    soft_time_limit=540,
)
def erase_due_members_task() -> int:
    """Every minute (beat): erase the members whose grace period is over."""
    from .erasure import erase_due_members

    return erase_due_members()


@shared_task(
    name="members.prune_personal_data",
    ignore_result=True,
    time_limit=600,
    soft_time_limit=540,
)
def prune_personal_data_task() -> dict[str, int]:
    """Every hour (beat): delete operational records past their retention."""
    from .retention import prune_personal_data

    return prune_personal_data()


@shared_task(
    name="members.build_export",
    ignore_result=True,
    time_limit=3600,
    soft_time_limit=3500,
)
def build_export_task(export_id: int) -> bool:
    """Write a member's data export (a pending job; safe to run twice)."""
    from .exports import build_export

    return build_export(export_id)


@shared_task(
    name="members.send_prepared_email",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=12,
    time_limit=60,
    soft_time_limit=50,
)
def send_prepared_email_task(
    subject: str, body: str, from_email: str | None, to: list[str], html: str | None
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
