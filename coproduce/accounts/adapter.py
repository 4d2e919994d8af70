from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip

from coproduce.accounts.emails import with_footer


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # One spelling per address, so "Ann@X" and "ann@x" are the same person.
        return super().clean_email(email).strip().lower()

    def render_mail(self, template_prefix, email, context, headers=None):
        # Sign-in, verification and password e-mails end with the e-mail choices link as well.
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if message.content_subtype == "plain":
            message.body = with_footer(message.body)
        return message

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts wrong passwords per account (the "key" rate of "login_failed"), so a
        # stranger typing wrong passwords for a member would lock the member out. Count them per
        # account and client address instead: the stranger locks only themselves out, and the
        # per-address rate slows one client trying many accounts. get_ip is the address allauth's
        # per-address rates count (behind BEHIND_PROXY, from X-Forwarded-For; IPv6 cut to /64).
        # allauth uses this key for the password step, and clears it after a password reset.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"
