"""The partner personas (staff at the surgery, other_staff at the school, left_staff) for the API tests."""

from coproduce.partners.tests.fixtures import *  # noqa: F403
