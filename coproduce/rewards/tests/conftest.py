import pytest

from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import (  # noqa: F401 (pytest fixtures)
    alice,
    bob,
    other_staff,
    school,
    staff,
    surgery,
    yesterday,
)


@pytest.fixture
def pool(riverside, coordinator):
    """The leisure centre: a venue of the community, with its staff member Pat."""
    return partners.save_organisation(community=riverside, actor=coordinator, name="Riverside Pool",
                                      type="leisure", description="Swimming and a gym.")


@pytest.fixture
def pat(riverside, coordinator, pool):
    from coproduce.partners.tests.fixtures import _staff

    return _staff("pat@example.org", "Pat Pool", riverside, coordinator, pool)


@pytest.fixture
def swim(pool, coordinator):
    return partners.save_listing(pool, actor=coordinator, title="A swim", description="Any session.", minutes=60)
