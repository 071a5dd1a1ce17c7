from celery import shared_task

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
