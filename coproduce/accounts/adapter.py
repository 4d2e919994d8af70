from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # One spelling per address, so "Ann@X" and "ann@x" are the same person.
        return super().clean_email(email).strip().lower()
