"""The demo's web address and the people you can log in as (all with one password)."""

DEMO_SLUG = "riverside"
DEMO_PASSWORD = "coproduce-demo"
# A fixed TOTP secret so the demo coordinator and admin can log in; `manage.py demo_totp`
# prints the current code. Never use a fixed secret outside the demo.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_LOGINS = {
    "member": "member@demo.coproduce.test",
    "facilitator": "facilitator@demo.coproduce.test",  # a member who runs the carers' circle
    "partner staff": "staff@demo.coproduce.test",  # at the GP surgery
    "coordinator": "coordinator@demo.coproduce.test",
    "site admin": "admin@demo.coproduce.test",
}
