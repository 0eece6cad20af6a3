"""Geometry of the cohort report's server-rendered progress chart (SVG, no JavaScript): stacked
bars of how many participants completed 0 %, 1–49 %, 50–99 % and 100 % of each section."""

from django.utils.translation import gettext_lazy as _

# Buckets of a section's share of completed modules, for the distribution chart.
PROGRESS_BUCKETS = (
    ("none", _("0 %"), 0, 0),
    ("started", _("1–49 %"), 1, 49),
    ("advanced", _("50–99 %"), 50, 99),
    ("complete", _("100 %"), 100, 100),
)


# Dark enough for white labels (contrast at least 4.5:1); the table below repeats every figure.
BUCKET_COLOURS = {
    "none": "#5c5c5c",
    "started": "#8a4b00",
    "advanced": "#0b4f8a",
    "complete": "#1d6b2f",
}
CHART_WIDTH = 640
BAR_HEIGHT = 28
ROW_HEIGHT = 64
LABEL_HEIGHT = 22


def distribution_chart(distribution: list[dict]) -> dict:
    """Stacked bars (one per section) of how many participants are in each progress bucket."""
    rows = []
    for index, item in enumerate(distribution):
        top = index * ROW_HEIGHT
        total = item["total"]
        x = 0.0
        segments = []
        for key, label, _low, _high in PROGRESS_BUCKETS:
            count = item["counts"][key]
            width = CHART_WIDTH * count / total if total else 0.0
            segments.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "x": round(x, 2),
                    "width": round(width, 2),
                    "colour": BUCKET_COLOURS[key],
                    "text_x": round(x + width / 2, 2),
                    # Too narrow a segment keeps its figure in the table only.
                    "show_count": width >= 28,
                }
            )
            x += width
        rows.append(
            {
                "title": item["section"].title,
                "total": total,
                "label_y": top + 16,
                "bar_y": top + LABEL_HEIGHT,
                "text_y": top + LABEL_HEIGHT + BAR_HEIGHT / 2 + 5,
                "segments": segments,
                "counts": [item["counts"][key] for key, *_rest in PROGRESS_BUCKETS],
            }
        )
    legend_y = len(rows) * ROW_HEIGHT + 8
    legend = [
        {"label": label, "colour": BUCKET_COLOURS[key], "x": i * 150, "y": legend_y}
        for i, (key, label, *_rest) in enumerate(PROGRESS_BUCKETS)
    ]
    return {
        "width": CHART_WIDTH,
        "height": legend_y + 24,
        "bar_height": BAR_HEIGHT,
        "rows": rows,
        "legend": legend,
        "buckets": [label for _key, label, *_rest in PROGRESS_BUCKETS],
    }
