"""Fixtures shared by the security tests: partner personas (surgery, staff, ...)."""

from coproduce.partners.tests.fixtures import *  # noqa: F403
