from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    """Valuation activities (product brief, "Valuation"), one market equivalent each."""

    ADULT_CARE = "adult_care", _("Adult care")
    CHILDCARE = "childcare", _("Childcare")
    NUTRITION = "nutrition", _("Nutrition")
    CLEANING = "housing_cleaning", _("Housing: cleaning")
    GARDENING = "housing_gardening", _("Housing: gardening")
    REPAIRS = "housing_repairs", _("Housing: repairs")
    TRANSPORT = "transport", _("Transport")
    LAUNDRY = "clothing_laundry", _("Clothing and laundry")
    TEACHING = "teaching", _("Teaching")
    PAPERWORK_IT = "paperwork_it", _("Paperwork and IT")
    COMPANIONSHIP = "companionship", _("Companionship and peer support")
    GENERAL = "general_volunteering", _("General volunteering")
