"""A community's own colour: validated for contrast with white text, served as a stylesheet."""

import pytest

from coproduce.communities.forms import CommunitySettingsForm
from coproduce.communities.models import DEFAULT_BRAND_COLOUR
from coproduce.lib.colour import contrast_with_white, normalise_hex


def test_contrast_with_white_follows_wcag():
    assert contrast_with_white("#ffffff") == pytest.approx(1)
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white(DEFAULT_BRAND_COLOUR) >= 4.5
    assert normalise_hex(" 1D70B8 ") == "#1d70b8"
    with pytest.raises(ValueError):
        normalise_hex("blue")


def _errors(community, colour):
    form = CommunitySettingsForm({"brand_colour": colour}, instance=community)
    form.is_valid()
    return form.errors.get("brand_colour"), form.cleaned_data.get("brand_colour")


@pytest.mark.django_db
def test_a_pale_colour_is_refused_with_a_clear_error(riverside):
    errors, _ = _errors(riverside, "#ffdd00")
    assert errors and "contrast of 1.3:1" in errors[0] and "at least 4.5:1" in errors[0]
    errors, _ = _errors(riverside, "blue")
    assert errors and "six hex digits" in errors[0]
    errors, cleaned = _errors(riverside, "0B5A3C")
    assert errors is None and cleaned == "#0b5a3c"


@pytest.mark.django_db
def test_the_theme_is_a_cacheable_stylesheet_linked_from_every_community_page(client, riverside):
    riverside.brand_colour = "#0b5a3c"
    riverside.save(update_fields=["brand_colour"])
    response = client.get("/c/riverside/theme.css?v=0b5a3c")
    assert response["Content-Type"].startswith("text/css")
    assert "--govuk-brand-colour: #0b5a3c;" in response.content.decode()
    assert "immutable" in response["Cache-Control"]
    assert "immutable" not in client.get("/c/riverside/theme.css?v=1d70b8")["Cache-Control"]  # an old colour
    assert client.get("/c/no-such-place/theme.css").status_code == 404
    page = client.get("/c/riverside/").content.decode()
    assert '<link rel="stylesheet" href="/c/riverside/theme.css?v=0b5a3c">' in page
    assert "theme.css" not in client.get("/accounts/login/").content.decode()
