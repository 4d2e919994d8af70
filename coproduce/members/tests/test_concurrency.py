"""Two coordinators stepping down at the same moment must not leave a community with none."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from coproduce.members.models import Membership, Role
from coproduce.members.services import change_role, leave_community

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def two_coordinators(transactional_db, riverside, coordinator, member):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    alice = Membership.objects.get(user=member)
    change_role(alice, actor=coordinator, role=Role.COORDINATOR)
    return Membership.objects.get(user=coordinator), alice


def in_another_connection(work):
    """Run work() in a thread with its own database connection; return (thread, outcome)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except ValidationError as error:
            outcome["refused"] = " ".join(error.messages)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("second_step", ["leave", "step_down"])
def test_the_last_coordinator_cannot_go_while_another_is_going(two_coordinators, coordinator, member, riverside,
                                                               second_step):
    cora, alice = two_coordinators
    with transaction.atomic():
        leave_community(cora, actor=coordinator)
        # Alice tries to go too while Cora's departure is not yet committed: she must wait.
        if second_step == "leave":
            thread, outcome = in_another_connection(lambda: leave_community(alice, actor=member))
        else:
            thread, outcome = in_another_connection(lambda: change_role(alice, actor=member, role=Role.MEMBER))
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the second departure should wait for the first"
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert "refused" in outcome
    assert Membership.objects.coordinators().filter(community=riverside).get() == alice
