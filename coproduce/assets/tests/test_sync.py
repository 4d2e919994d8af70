"""Groups, opportunities, listings, partners and categories appear in the directory by themselves and
stay in step with where they are kept."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coproduce.assets import queries, sync
from coproduce.assets.models import AssetOrganisation, Cost, Origin, Service, TaxonomyTerm
from coproduce.communities.models import Category
from coproduce.communities.services import add_category, rename_category
from coproduce.groups import services as groups
from coproduce.groups.models import Group
from coproduce.partners import services as partners
from coproduce.partners.models import Listing, Opportunity

pytestmark = pytest.mark.django_db


def mirror(origin, pk) -> Service:
    return Service.objects.select_related("organisation").get(origin=origin, origin_id=pk)


def test_a_partner_becomes_a_directory_organisation_and_follows_its_changes(
    riverside, coordinator, surgery
):
    organisation = AssetOrganisation.objects.get(partner=surgery)
    assert (organisation.name, organisation.community) == ("Riverside Surgery", riverside)
    partners.save_organisation(
        community=riverside,
        actor=coordinator,
        organisation=surgery,
        name="Riverside Health Centre",
        contact_email="desk@example.org",
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.email) == (
        "Riverside Health Centre",
        "desk@example.org",
    )
    assert AssetOrganisation.objects.filter(partner=surgery).count() == 1


def test_a_communitys_categories_are_its_taxonomy_one_term_each(riverside, coordinator):
    categories = Category.objects.filter(community=riverside)
    terms = TaxonomyTerm.objects.filter(taxonomy__community=riverside)
    assert terms.count() == categories.count() > 0
    lifts = terms.get(category__name="Lifts")
    assert lifts.parent.category == Category.objects.get(
        community=riverside, name="Transport and errands"
    )
    new = add_category(riverside, actor=coordinator, name="Repair café")
    assert TaxonomyTerm.objects.get(category=new).name == "Repair café"
    rename_category(new, actor=coordinator, name="Repair cafe")
    assert TaxonomyTerm.objects.get(category=new).name == "Repair cafe"
    sync.sync_categories(riverside)  # running it again changes nothing
    assert terms.count() == categories.count()


def test_creating_changing_and_deleting_a_group_updates_its_entry(riverside, coordinator, member):
    group = groups.create_group(
        community=riverside,
        actor=coordinator,
        name="Carers' circle",
        description="Tea and talk for carers.",
    )
    service = mirror(Origin.GROUP, group.pk)
    assert (service.name, service.description, service.cost, service.active) == (
        "Carers' circle",
        "Tea and talk for carers.",
        Cost.FREE,
        True,
    )
    assert service.organisation.name == riverside.name and service.kept_elsewhere
    assert service in queries.directory(riverside, text="carers")

    group.name = "Carers' café"
    group.save()
    assert mirror(Origin.GROUP, group.pk).name == "Carers' café"

    Group.objects.filter(pk=group.pk).delete()
    assert not Service.objects.filter(origin=Origin.GROUP, origin_id=group.pk).exists()


def test_a_partners_group_is_run_by_the_partner(riverside, staff, surgery):
    group = groups.create_group(
        community=riverside, actor=staff, name="Diabetes peer group", organisation=surgery
    )
    assert mirror(Origin.GROUP, group.pk).organisation.partner == surgery


def test_a_groups_weekly_sessions_become_its_schedule(riverside, coordinator):
    group = groups.create_group(community=riverside, actor=coordinator, name="Knit and natter")
    zone = ZoneInfo(riverside.time_zone)
    starts = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=7), datetime.time(14), tzinfo=zone
    )
    groups.schedule_sessions(
        group,
        actor=coordinator,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        frequency="weekly",
        count=4,
        place="Library",
        capacity=10,
    )
    schedule = mirror(Origin.GROUP, group.pk).schedules.get()
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "WEEKLY",
        ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[starts.weekday()],
        datetime.time(14),
        datetime.time(16),
    )


def test_posting_changing_and_cancelling_an_opportunity_updates_its_entry(
    riverside, staff, surgery
):
    starts = timezone.localdate() + datetime.timedelta(days=3)
    opportunity = partners.post_opportunity(
        surgery,
        actor=staff,
        title="Garden volunteers",
        starts_on=starts,
        times="10am to 12 noon",
        places_needed=3,
    )
    service = mirror(Origin.OPPORTUNITY, opportunity.pk)
    assert (service.name, service.active, service.organisation.partner) == (
        "Garden volunteers",
        True,
        surgery,
    )
    schedule = service.schedules.get()
    assert (schedule.valid_from, schedule.valid_to, schedule.description) == (
        starts,
        starts,
        "10am to 12 noon",
    )

    partners.change_opportunity(
        opportunity,
        actor=staff,
        title="Garden volunteers wanted",
        ends_on=starts + datetime.timedelta(days=2),
    )
    service = mirror(Origin.OPPORTUNITY, opportunity.pk)
    assert service.name == "Garden volunteers wanted"
    assert service.schedules.get().valid_to == starts + datetime.timedelta(days=2)

    partners.cancel_opportunity(opportunity, actor=staff)
    assert mirror(Origin.OPPORTUNITY, opportunity.pk).active is False
    assert not queries.directory(riverside, text="garden").exists()


def test_a_past_opportunity_is_not_listed(riverside, coordinator, surgery):
    opportunity = partners.post_opportunity(
        surgery,
        actor=coordinator,
        title="Last year's fair",
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    assert mirror(Origin.OPPORTUNITY, opportunity.pk).active is False
    Opportunity.objects.filter(pk=opportunity.pk).delete()
    assert not Service.objects.filter(origin=Origin.OPPORTUNITY).exists()


def test_a_spend_credit_listing_is_an_entry_costing_time_credits(riverside, staff, surgery):
    listing = partners.save_listing(
        surgery, actor=staff, title="Massage", description="Half an hour.", minutes=60
    )
    service = mirror(Origin.LISTING, listing.pk)
    assert (service.cost, service.credits_minutes, service.active) == (Cost.TIME_CREDITS, 60, True)
    Listing.objects.filter(pk=listing.pk).update(active=False)  # bulk updates send no signal...
    listing.refresh_from_db()
    listing.save()  # ...a save does
    assert mirror(Origin.LISTING, listing.pk).active is False


def test_sync_community_catches_up_and_is_idempotent(riverside, staff, surgery):
    listing = partners.save_listing(
        surgery, actor=staff, title="Massage", description="", minutes=60
    )
    Service.objects.all().delete()
    sync.sync_community(riverside)
    sync.sync_community(riverside)
    assert Service.objects.filter(origin=Origin.LISTING, origin_id=listing.pk).count() == 1


def test_a_venues_rewards_are_on_the_map_where_the_venue_is(client, riverside, staff, surgery, member):
    from coproduce.assets.tests.factories import make_location

    place = make_location(riverside, organisation=sync.organisation_for_partner(surgery), name="The surgery")
    listing = partners.save_listing(surgery, actor=staff, title="Flu jab", description="", minutes=30,
                                    days=["SA"], opens_at=datetime.time(9), closes_at=datetime.time(12))
    service = Service.objects.get(origin=Origin.LISTING, origin_id=listing.pk)
    assert list(service.locations.all()) == [place]
    (schedule,) = service.schedules.all()
    assert (schedule.freq, schedule.byday, schedule.opens_at) == ("WEEKLY", "SA", datetime.time(9))
    # A second place added later: the rewards follow the venue there too.
    later = make_location(riverside, organisation=sync.organisation_for_partner(surgery), name="Annexe",
                          latitude="51.520000")
    assert set(service.locations.all()) == {place, later}
    client.force_login(member)
    listed = client.get("/c/riverside/directory/", {"credits": "on"}).content.decode()
    assert "Flu jab" in listed
    points = client.get("/c/riverside/directory/map.json", {"credits": "on", "bbox": "-0.2,51.4,0.0,51.6"}).json()
    assert {name for _id, name, _lat, _lng in points["points"]} == {"Flu jab"}
