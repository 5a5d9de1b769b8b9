"""The impact charts: drawn on the server by pygal (a maintained charting library) as SVG, shown as images.

Each chart is an ``<img>`` whose source is a ``data:image/svg+xml`` URI of the SVG pygal renders, from the
very answer the page's tables show (one call to feedback per page; the chart and its numbers always agree).
The console's Content Security Policy already allows ``img-src 'self' data:``; an SVG shown as an image runs
no script and loads nothing, and its own styles stay inside it, so the page's policy (no inline style, no
inline script) is untouched. pygal's script element (its tooltips' configuration) is taken out all the same:
the console ships no script. Every chart comes with a text alternative (``alt``) and its numbers in a table.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

SVG = "{http://www.w3.org/2000/svg}"
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#545d68",
    colors=("#0b5cad", "#c4501b", "#1a6b34", "#6f42c1"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    title_font_size=22,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    value_font_size=16,
    tooltip_font_size=14,
)
OPTIONS: dict[str, Any] = {
    "style": STYLE,
    "width": 720,
    "height": 360,
    "explicit_size": True,  # the image's own size; the stylesheet scales it down to a phone's width
    "js": [],  # no script: none could run in an image anyway
    "disable_xml_declaration": True,
    "print_values": True,
    "legend_at_bottom": True,
    "margin": 12,
}


@dataclass(frozen=True)
class Chart:
    """One chart: the image and what it says in words."""

    title: str
    alt: str
    src: str


def _data_uri(chart: Any) -> str:
    tree: ElementTree.Element = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag in (f"{SVG}script", "script"):
                parent.remove(child)
    svg = ElementTree.tostring(tree, encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    unit: str = "",
    horizontal: bool = False,
    percent: bool = False,
) -> Chart:
    """A bar chart of one or more series over ``labels`` (shares given as 0..1 are drawn as percents)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    extra: dict[str, Any] = {"range": (0, 100), "y_labels": [0, 25, 50, 75, 100]} if percent else {}
    known = [v for _, values in series for v in values if v is not None]
    if not percent and known and all(float(v).is_integer() for v in known):  # counts: whole-number ticks
        top = max(1, int(max(known)))
        extra["y_labels"] = list(range(0, top + 1, max(1, math.ceil(top / 5))))
    chart = kind(
        title=title,
        show_legend=len(series) > 1,
        x_label_rotation=0 if horizontal or len(labels) <= 6 else 45,
        value_formatter=(lambda v: f"{v:.0f} %") if percent else (lambda v: f"{v:g}{unit}"),
        **OPTIONS,
        **extra,
    )
    chart.x_labels = list(labels)
    described = []
    for name, values in series:
        drawn = [None if v is None else round(v * 100, 1) if percent else v for v in values]
        chart.add(name, drawn)
        pairs = ", ".join(
            f"{label} {'no figure' if v is None else f'{v:g}' + (' %' if percent else unit)}"
            for label, v in zip(labels, drawn, strict=True)
        )
        described.append(f"{name}: {pairs}" if len(series) > 1 else pairs)
    alt = f"{title}. " + "; ".join(described) + ". The same numbers are in the table below."
    return Chart(title, alt, _data_uri(chart))


def impact_charts(figures: dict[str, Any], org_names: dict[str, str]) -> list[Chart]:
    """The charts of feedback's GET /v1/impact answer."""
    weekly = figures.get("weekly") or []
    weeks = [str(w.get("week", "")).split("-")[-1] for w in weekly]
    charts = [
        bars(
            "Sessions completed per week",
            weeks,
            [("Sessions", [w.get("sessions_completed") for w in weekly])],
        ),
        bars(
            "Median minutes to the first proposal, by week asked",
            weeks,
            [("Minutes", [w.get("median_minutes_to_first_proposal") for w in weekly])],
        ),
    ]
    rates = [(label, figures.get(key)) for key, label in RATES]
    charts.append(
        bars(
            "Rates this quarter",
            [label for label, _ in rates],
            [("Share", [v for _, v in rates])],
            horizontal=True,
            percent=True,
        )
    )
    reciprocity = figures.get("reciprocity") or []
    if reciprocity:
        names = [org_names.get(r["org_id"], r["org_id"]) for r in reciprocity]
        charts.append(
            bars(
                "Reciprocity: sessions given (mentors) and received (mentees), by org",
                names,
                [
                    ("Given", [r["sessions_given"] for r in reciprocity]),
                    ("Received", [r["sessions_received"] for r in reciprocity]),
                ],
                horizontal=True,
            )
        )
    return charts


RATES = (
    ("completion_rate", "Completed"),
    ("no_show_rate", "No-shows"),
    ("resolution_rate_from_follow_ups", "Resolved (follow-ups)"),
    ("resolution_rate_from_feedback", "Resolved (feedback)"),
    ("reverse_mentoring_share", "Reverse mentoring"),
)
