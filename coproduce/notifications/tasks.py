"""E-mail sending as django-tasks tasks: queued in the database, sent by `manage.py db_worker`."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from coproduce.accounts.emails import with_footer
from coproduce.notifications.preferences import unsubscribe_url, wants


@task()
def send_email(user_id: int, kind: str, subject: str, body: str, language: str = settings.LANGUAGE_CODE) -> bool:
    """Send one notification e-mail, re-checking the person's preference at send time. The
    footer is in the language the body was written in (the recipient's)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not wants(user, kind):
        return False
    link = unsubscribe_url(user, kind)
    with translation.override(language):
        footer = _("Stop e-mails like this one: %(link)s") % {"link": link}
        full_body = with_footer(body, footer)
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=full_body,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()
    return True
