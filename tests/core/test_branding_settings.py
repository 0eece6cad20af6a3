"""The branding setting: an accent colour below 4.5:1 on white is refused in German."""

import pytest
from django.core.exceptions import ValidationError

from core import colours
from core.models import CONTRAST_TOO_LOW, NOT_A_COLOUR, BrandingSettings


def test_contrast_of_black_and_white_is_21():
    assert colours.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert colours.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_contrast_of_a_known_grey():
    # #767676 is the lightest grey that reaches 4.5:1 on white (4.54:1)
    assert colours.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert colours.readable_on_white("#767676")
    assert not colours.readable_on_white("#777777")


@pytest.mark.django_db
def test_light_accent_colour_is_refused_with_a_german_message():
    # given
    branding = BrandingSettings.load()
    branding.accent_colour = "#ffcc00"
    # when
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    # then
    messages = error.value.message_dict["accent_colour"]
    assert messages == [CONTRAST_TOO_LOW % {"colour": "#ffcc00", "ratio": "1,51"}]
    assert "Kontrast 1,51:1" in messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["red", "#12345", "#1234567", "#gggggg", "", "0b5394"])
def test_malformed_colour_is_refused(value):
    branding = BrandingSettings.load()
    branding.accent_colour = value
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    assert str(NOT_A_COLOUR) in error.value.message_dict["accent_colour"][0] or (
        value == "" and error.value.message_dict["accent_colour"]
    )


@pytest.mark.django_db
def test_dark_accent_colour_is_kept():
    branding = BrandingSettings.load()
    branding.accent_colour = "#7a1f5c"
    branding.full_clean()
    branding.save()
    assert BrandingSettings.load().accent_colour == "#7a1f5c"
