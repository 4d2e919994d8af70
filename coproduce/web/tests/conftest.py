# The partner personas (staff works at the surgery), for the home page's partner section.
from coproduce.partners.tests.fixtures import staff, surgery  # noqa: F401
