"""Teaching units (Unterrichtseinheiten) as the certificate states them. A module of its own so
that pages reading them do not load the PDF renderer."""

MINUTES_PER_TEACHING_UNIT = 45


def teaching_units(minutes: int) -> int:
    """Whole teaching units of 45 minutes, rounded half up; a section with content counts one."""
    if minutes <= 0:
        return 0
    return max(1, (minutes * 2 + MINUTES_PER_TEACHING_UNIT) // (2 * MINUTES_PER_TEACHING_UNIT))
