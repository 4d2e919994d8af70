"""The line every e-mail the platform sends ends with: where to choose which e-mails you get."""

from django.conf import settings
from django.template.loader import render_to_string


def with_footer(body: str, *lines: str) -> str:
    """``body``, then a signature separator, any ``lines`` (such as a one-click unsubscribe link),
    and last the link to the e-mail choices page (an absolute URL)."""
    footer = render_to_string("email/_footer.txt", {"site_url": settings.SITE_URL}).strip()
    return "\n".join([f"{body.rstrip()}\n\n--", *lines, footer]) + "\n"
