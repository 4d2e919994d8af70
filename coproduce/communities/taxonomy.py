"""The default time-bank taxonomy every new community starts from.

Each top-level category maps to one valuation activity from the product brief
("Valuation: activities and replacement-cost rates"); subcategories may map elsewhere
where the market equivalent differs (a lift is transport even inside "health").
"""

from django.utils.translation import gettext_noop as _

from coproduce.communities.activities import Activity as A

# (name, activity, [(subcategory name, activity), ...])
DEFAULT_TAXONOMY = [
    (_("Home and garden"), A.GARDENING, [
        (_("Gardening"), A.GARDENING),
        (_("Cleaning and tidying"), A.CLEANING),
        (_("Decluttering"), A.CLEANING),
        (_("Laundry, ironing and mending"), A.LAUNDRY),
    ]),
    (_("Transport and errands"), A.TRANSPORT, [
        (_("Lifts"), A.TRANSPORT),
        (_("Shopping for someone"), A.NUTRITION),
        (_("Accompanying to appointments"), A.TRANSPORT),
        (_("Collecting prescriptions"), A.TRANSPORT),
    ]),
    (_("Companionship and befriending"), A.COMPANIONSHIP, [
        (_("Visiting"), A.COMPANIONSHIP),
        (_("Phone calls"), A.COMPANIONSHIP),
        (_("Walks and outings"), A.COMPANIONSHIP),
    ]),
    (_("Health and wellbeing"), A.COMPANIONSHIP, [
        (_("Peer support"), A.COMPANIONSHIP),
        (_("Exercise buddy"), A.COMPANIONSHIP),
        (_("Relaxation and massage"), A.COMPANIONSHIP),
    ]),
    (_("Learning and teaching"), A.TEACHING, [
        (_("Homework help"), A.TEACHING),
        (_("Language practice"), A.TEACHING),
        (_("Music lessons"), A.TEACHING),
        (_("Sharing a skill"), A.TEACHING),
    ]),
    (_("Paperwork and IT"), A.PAPERWORK_IT, [
        (_("Forms and letters"), A.PAPERWORK_IT),
        (_("Computer and phone help"), A.PAPERWORK_IT),
        (_("Budgeting"), A.PAPERWORK_IT),
    ]),
    (_("Arts and crafts"), A.GENERAL, [
        (_("Knitting and sewing"), A.GENERAL),
        (_("Painting and drawing"), A.GENERAL),
        (_("Photography"), A.GENERAL),
    ]),
    (_("Children and family"), A.CHILDCARE, [
        (_("Babysitting"), A.CHILDCARE),
        (_("School runs on foot"), A.CHILDCARE),
        (_("Play and activities"), A.CHILDCARE),
    ]),
    (_("Care and support for adults"), A.ADULT_CARE, [
        (_("Sitting with someone"), A.ADULT_CARE),
        (_("Personal care"), A.ADULT_CARE),
        (_("Respite for carers"), A.ADULT_CARE),
    ]),
    (_("Cooking and food"), A.NUTRITION, [
        (_("Cooking a meal"), A.NUTRITION),
        (_("Baking"), A.NUTRITION),
        (_("Food growing"), A.GARDENING),
    ]),
    (_("Repairs and DIY"), A.REPAIRS, [
        (_("Small repairs"), A.REPAIRS),
        (_("Decorating"), A.REPAIRS),
        (_("Bike repair"), A.REPAIRS),
    ]),
    (_("Pets"), A.GENERAL, [
        (_("Dog walking"), A.GENERAL),
        (_("Pet sitting"), A.GENERAL),
    ]),
    (_("Community events"), A.GENERAL, [
        (_("Helping at events"), A.GENERAL),
        (_("Community litter pick"), A.GENERAL),
        (_("Running a group"), A.GENERAL),
    ]),
]
