from coproduce.partners.tests.fixtures import *  # noqa: F403
