# Partner personas (surgery, school, staff, other_staff, ...), shared with the partners and groups tests.
from coproduce.partners.tests.fixtures import *  # noqa: F403
