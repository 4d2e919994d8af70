# Partner personas (surgery, school, staff, other_staff, ...), shared with the partners and groups tests.
from coproduce.partners.tests.fixtures import *  # noqa: F403

# The venue personas (Riverside Pool, its staff member Pat, its swim), shared with the rewards tests.
from coproduce.rewards.tests.conftest import pat, pool, swim  # noqa: F401
