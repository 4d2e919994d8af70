"""Ship the default rate sets (product brief, "Valuation").

Every figure here was looked up, not estimated; each row names where it comes from. The
UK set holds only the rates a published source could be found for when this was written
(see the set's description); a site admin adds the occupation rates from ASHE Table 14.5a
in Django admin as they are confirmed. An activity without a rate is reported as
"not valued", never as zero.
"""

from decimal import Decimal

from django.db import migrations

UK_NAME = "United Kingdom: ONS ASHE (replacement cost)"
US_NAME = "United States: Independent Sector value of a volunteer hour"

UK_DESCRIPTION = (
    "Replacement-cost method as in the ONS Household Satellite Account: hours × median gross "
    "hourly pay (excluding overtime) of the closest market-equivalent occupation, from the ONS "
    "Annual Survey of Hours and Earnings (ASHE). Only figures confirmed from a published source "
    "are included. The ASHE occupation figure for care workers was not found, so adult care and "
    "companionship use Skills for Care's published median for care workers (see each rate's "
    "source). Occupation rates (ASHE Table 14.5a, 4-digit SOC 2020) for childminders, kitchen and "
    "catering assistants, cleaners and domestics, gardeners, general building trades, taxi "
    "drivers, laundry workers, teaching assistants and administrative occupations are still to be "
    "added; until then those activities are shown as not valued."
)
CARE_SOURCE = (
    "Not ASHE: the ASHE median for care workers and home carers (SOC 2020 6135) was not found. "
    "Skills for Care, pay in the independent adult social care sector in England (Adult Social Care "
    "Workforce Data Set), December 2024: median pay for care workers £12.00 an hour (senior care "
    "workers £12.75), as reported by Community Care in 2025. Replace with ASHE Table 14.5a when "
    "confirmed."
)
UK_RATES = [
    ("adult_care", Decimal("12.00"), "Care workers", CARE_SOURCE, 2024),
    ("companionship", Decimal("12.00"), "Care workers (practical care)", CARE_SOURCE, 2024),
    ("general_volunteering", Decimal("18.64"), "All employees (full-time)",
     "ONS, Annual Survey of Hours and Earnings 2024 (provisional), bulletin “Employee earnings in "
     "the UK: 2024”, 29 October 2024: median hourly earnings excluding overtime of full-time "
     "employees, April 2024, £18.64. The all-employee (full- and part-time) median was not "
     "confirmed, so the full-time figure is used.", 2024),
]

US_DESCRIPTION = (
    "A single rate for every activity: Independent Sector's estimated value of a volunteer hour, "
    "calculated by the University of Maryland's Do Good Institute from U.S. Bureau of Labor "
    "Statistics average hourly earnings of production and non-supervisory workers on private "
    "non-farm payrolls, plus 12% for fringe benefits."
)
US_SOURCE = ("Independent Sector with the University of Maryland's Do Good Institute, “Value of Volunteer "
             "Time”, national value for 2023 (estimated from 2023 data, announced in National Volunteer Week, "
             "April 2024): $33.49 an hour, about 5% above the 2022 value of $31.80 (announced April 2023); "
             "the 2021 value was $29.95 (announced 18 April 2022). Reported by VQ Strategies "
             "(vqstrategies.com/volunteer-value) and, for $31.80, by Giving Compass and MinistryWatch. "
             "Check independentsector.org for a later figure.")


def create(apps, schema_editor):
    RateSet = apps.get_model("insights", "RateSet")
    Rate = apps.get_model("insights", "Rate")
    uk, _ = RateSet.objects.get_or_create(name=UK_NAME, defaults={
        "currency": "GBP", "country": "GB", "description": UK_DESCRIPTION})
    for activity, per_hour, occupation, source, year in UK_RATES:
        Rate.objects.get_or_create(rate_set=uk, activity=activity, defaults={
            "per_hour": per_hour, "occupation": occupation, "source": source, "year": year})
    us, _ = RateSet.objects.get_or_create(name=US_NAME, defaults={
        "currency": "USD", "country": "US", "description": US_DESCRIPTION})
    activities = ["adult_care", "childcare", "nutrition", "housing_cleaning", "housing_gardening",
                  "housing_repairs", "transport", "clothing_laundry", "teaching", "paperwork_it",
                  "companionship", "general_volunteering"]
    for activity in activities:
        Rate.objects.get_or_create(rate_set=us, activity=activity, defaults={
            "per_hour": Decimal("33.49"), "occupation": "Volunteer (all activities)",
            "source": US_SOURCE, "year": 2023})


def remove(apps, schema_editor):
    apps.get_model("insights", "RateSet").objects.filter(name__in=[UK_NAME, US_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
