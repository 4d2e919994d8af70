"""Bring the shipped UK rate set up to the latest figures that could be confirmed.

Every figure here was looked up, not estimated: each one was read in a published passage,
and its row's source says who published it, which statistic it is, for which year, and
where it was read (a secondary report is named as secondary).

What changes, for the UK set only:

- General volunteering now uses the product brief's statistic, the median hourly pay of
  *all* employee jobs (full-time and part-time): £17.96, April 2025 (ASHE 2025,
  provisional). It replaces the full-time April 2024 median (£18.64), which 0002 used only
  because the all-employee figure had not been confirmed.
- Adult care and companionship keep £12.00, now cited to the later Skills for Care report
  (March 2025, published October 2025), which gives the same figure as the December 2024
  one. They stay on Skills for Care because the ASHE median for care workers and home
  carers (SOC 2020 6135) could still not be confirmed.
- The set's description now lists exactly the activities that are still not valued.

Not found, so left not valued (an activity without a rate is reported as "not valued",
never as zero): the ASHE occupation medians for childminders, kitchen and catering
assistants or cooks, cleaners and domestics, gardeners and landscape gardeners, general
building trades, taxi and cab drivers and chauffeurs, laundry workers, teaching assistants,
administrative occupations or IT user support technicians, and care workers and home
carers. The stored reference text searched (ONS bulletins and dataset pages, Low Pay
Commission and Skills for Care pages, union, law-firm and trade-press reports, salary
sites, and public repositories that process ASHE Table 14) gave no passage stating a 2024
or 2025 ASHE hourly median for any of these occupations. The public repositories that read
ASHE Table 14 name its workbook "Table 14.5a   Hourly pay - Gross 2025", and ASHE parsing
code maps sub-table ".6a" to "Hourly pay - Excluding overtime", so the occupation figures a
site admin adds should come from Table 14.6a (median, all employee jobs), not 14.5a.

The United States set is unchanged: no published Independent Sector figure later than the
$33.49 (2023 data, April 2024) was found in a publisher's or news report's text.

Forward only touches a UK row that still holds the values 0002 shipped (a row a site admin
has edited since is left alone), and creates a row that is missing. Reverse puts back the
0002 values on rows that still hold this migration's values, so migrating back is safe.
"""

from decimal import Decimal

from django.db import migrations

# The UK set's name as shipped in 0002_default_rate_sets (kept here so this migration
# stands on its own if 0002 is ever squashed).
UK_NAME = "United Kingdom: ONS ASHE (replacement cost)"

# --- What 0002 shipped (restored by the reverse) -------------------------------------
OLD_DESCRIPTION = (
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
OLD_CARE_SOURCE = (
    "Not ASHE: the ASHE median for care workers and home carers (SOC 2020 6135) was not found. "
    "Skills for Care, pay in the independent adult social care sector in England (Adult Social Care "
    "Workforce Data Set), December 2024: median pay for care workers £12.00 an hour (senior care "
    "workers £12.75), as reported by Community Care in 2025. Replace with ASHE Table 14.5a when "
    "confirmed."
)
OLD_GENERAL_SOURCE = (
    "ONS, Annual Survey of Hours and Earnings 2024 (provisional), bulletin “Employee earnings in "
    "the UK: 2024”, 29 October 2024: median hourly earnings excluding overtime of full-time "
    "employees, April 2024, £18.64. The all-employee (full- and part-time) median was not "
    "confirmed, so the full-time figure is used."
)
OLD_RATES = {
    "adult_care": {"per_hour": Decimal("12.00"), "occupation": "Care workers",
                   "source": OLD_CARE_SOURCE, "year": 2024},
    "companionship": {"per_hour": Decimal("12.00"), "occupation": "Care workers (practical care)",
                      "source": OLD_CARE_SOURCE, "year": 2024},
    "general_volunteering": {"per_hour": Decimal("18.64"), "occupation": "All employees (full-time)",
                             "source": OLD_GENERAL_SOURCE, "year": 2024},
}

# --- What this migration ships ----------------------------------------------------------
NEW_DESCRIPTION = (
    "Replacement-cost method as in the ONS Household Satellite Account: hours × median gross "
    "hourly pay (excluding overtime) of the closest market-equivalent occupation, from the ONS "
    "Annual Survey of Hours and Earnings (ASHE). Only figures confirmed from a published source "
    "are included (see each rate's source). General volunteering uses the ASHE 2025 median hourly "
    "pay of all employee jobs, full-time and part-time. The ASHE occupation figure for care workers "
    "was not found, so adult care and companionship use Skills for Care's published median for "
    "care workers. Not yet valued (no confirmed ASHE occupation rate): childcare; nutrition; "
    "housing: cleaning; housing: gardening; housing: repairs; transport; clothing and laundry; "
    "teaching; paperwork and IT. Hours in these activities are shown as not valued until a site "
    "admin adds the occupation's median from ASHE Table 14.6a (hourly pay excluding overtime, "
    "4-digit SOC 2020)."
)
NEW_CARE_SOURCE = (
    "Not ASHE: the ASHE median for care workers and home carers (SOC 2020 6135) was not found. "
    "Skills for Care, “The state of the adult social care sector and workforce in England” 2025 "
    "(Adult Social Care Workforce Data Set, published 15 October 2025): the median hourly rate for "
    "care workers in March 2025 was £12.00, 56p above the National Living Wage. Read as summarised "
    "by VODG, “VODG Responds to Skills For Care State of Adult Social Care Report 2025”, 15 October "
    "2025 (www.vodg.org.uk/resource/vodg-repsonds-to-skills-for-care-state-of-adult-social-care-"
    "report-2025.html), secondary. The December 2024 figure was also £12.00 (Skills for Care, as "
    "reported by Community Care). Replace with the ASHE Table 14.6a median when confirmed."
)
NEW_GENERAL_SOURCE = (
    "ONS, Annual Survey of Hours and Earnings 2025 (provisional), bulletin “Low and high pay in the "
    "UK: 2025” (October 2025): “In April 2025, 2.5% of all employee jobs were low-paid, that is, "
    "were paid less than £11.97 (two-thirds of median hourly pay, which was £17.96)”; the "
    "bulletin's measure is hourly pay excluding overtime (“Average hourly pay (excluding overtime) "
    "for employee jobs in April 2025 …”). So: median hourly pay excluding overtime of all employee "
    "jobs, full-time and part-time, UK, April 2025, £17.96. Read in the bulletin's text as "
    "reproduced by Caithness Business, 24 October 2025 (caithness-business.co.uk/article/29044), "
    "secondary. Replaces the full-time April 2024 median, £18.64 (ONS, “Employee earnings in the "
    "UK: 2024”)."
)
NEW_RATES = {
    "adult_care": {"per_hour": Decimal("12.00"), "occupation": "Care workers",
                   "source": NEW_CARE_SOURCE, "year": 2025},
    "companionship": {"per_hour": Decimal("12.00"), "occupation": "Care workers (practical care)",
                      "source": NEW_CARE_SOURCE, "year": 2025},
    "general_volunteering": {"per_hour": Decimal("17.96"),
                             "occupation": "All employees (full-time and part-time)",
                             "source": NEW_GENERAL_SOURCE, "year": 2025},
}


def _holds(rate, values) -> bool:
    return all(getattr(rate, field) == value for field, value in values.items())


def _apply(apps, expected_rates, target_rates, expected_description, target_description, create):
    RateSet = apps.get_model("insights", "RateSet")
    Rate = apps.get_model("insights", "Rate")
    uk = RateSet.objects.filter(name=UK_NAME).first()
    if uk is None:  # a site admin removed the shipped set: nothing to bring up to date
        return
    for activity, target in target_rates.items():
        rate = Rate.objects.filter(rate_set=uk, activity=activity).first()
        if rate is None:
            if create:
                Rate.objects.create(rate_set=uk, activity=activity, **target)
        elif _holds(rate, expected_rates[activity]):
            for field, value in target.items():
                setattr(rate, field, value)
            rate.save(update_fields=list(target))
        # else: edited by a site admin since it was shipped; theirs stands.
    if uk.description == expected_description:
        uk.description = target_description
        uk.save(update_fields=["description"])


def forward(apps, schema_editor):
    _apply(apps, OLD_RATES, NEW_RATES, OLD_DESCRIPTION, NEW_DESCRIPTION, create=True)


def reverse(apps, schema_editor):
    _apply(apps, NEW_RATES, OLD_RATES, NEW_DESCRIPTION, OLD_DESCRIPTION, create=False)


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_monthly_rollup")]
    operations = [migrations.RunPython(forward, reverse)]
