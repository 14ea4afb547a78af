"""Charts drawn on the server as SVG with pygal, put inline in the page: no script, no request elsewhere.

The portal's policy is `script-src 'self'; style-src 'self'`, so pygal's inline <script> (its tooltip config, written
even with js=[]) and its inline <style> would be refused by the browser anyway: both are taken out of the SVG, and
the same rules, generated from the same pygal Style, are served as static/charts.css (`stylesheet()`; a test keeps
the file in step). Each chart gets a <title> (its accessible name) and is followed on the page by a table with the
same numbers: the table, not the picture, is what a screen reader or a printout relies on."""

from __future__ import annotations

import functools
import html
import re
import sys
from dataclasses import dataclass

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

from licensing.pipeline.metrics import STEP_LABELS, Metrics
from licensing.pipeline.stages import stage_label
from licensing.recruitment.labels import SOURCE_LABELS
from portal.i18n import language_label

# Okabe and Ito's palette: told apart with every common kind of colour blindness.
STYLE = Style(
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    background="transparent",
    plot_background="transparent",
    foreground="rgba(0, 0, 0, .87)",
    foreground_strong="rgba(0, 0, 0, 1)",
    foreground_subtle="rgba(0, 0, 0, .54)",
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"),
    # Drawn 520 wide and shown at the width of the screen: on a 360 px phone these read at about 11 px.
    title_font_size=18,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    value_font_size=15,
)
# pygal 3.1 appends a legacy import hook to sys.meta_path (PluginImportFixer: it maps pygal.maps.* to separately
# installed map plugins, which the portal doesn't use). It has no find_spec, so Python 3.11 raises an ImportWarning
# for every later import that reaches it, and the test suite turns warnings into errors. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

_CHART_ID = re.compile(r"#chart-[0-9a-f-]+")


def _config(**options) -> dict:
    return {"style": STYLE, "js": [], "css": ["file://style.css", "file://graph.css"],
            "disable_xml_declaration": True, "explicit_size": False, "width": 520, "height": 360,
            "legend_at_bottom": True, "print_values": False, "show_y_guides": True, "truncate_label": -1,
            # A handful of numbers along the value axis: on a phone every one of 15 ran into the next.
            "show_minor_x_labels": False, "x_labels_major_count": 5,
            **options}


def _without_script_and_style(root):
    """Take out what only pygal's script would use or the page's policy refuses: the <script> and <style> it always
    writes, its placeholder <title> ("Pygal": ours is put in by _with_title) and the tooltip layer (script-driven,
    with an inline style attribute)."""
    for parent in root.iter():
        for child in list(parent):
            tag = str(child.tag).rsplit("}", 1)[-1]
            if (tag in ("script", "style") or (tag == "title" and parent is root)
                    or "tooltip-overlay" in (child.get("class") or "").split()):
                parent.remove(child)
        if (parent.get("id") or "").startswith("activate-serie"):  # the same id in every chart of the page
            del parent.attrib["id"]
    return root


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | int | None, ...]


def bar_chart(title: str, labels: list[str], series: list[Series], *, horizontal: bool = False) -> Markup:
    """An SVG bar chart, as markup to put in the page, named by `title`."""
    return Markup(_render(title, tuple(labels), tuple(series), horizontal))  # noqa: S704  (escaped: see _with_title)


@functools.lru_cache(maxsize=256)
def _render(title: str, labels: tuple[str, ...], series: tuple[Series, ...], horizontal: bool) -> str:
    """Drawing is the slow part of the page (pygal builds the whole SVG tree in Python): the same numbers in the same
    words are drawn once per process."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(260, 52 * len(labels) * max(1, len(series))) if horizontal else 360
    chart = chart_class(**_config(height=height, show_legend=len(series) > 1),
                        value_formatter=lambda v: "" if v is None else f"{v:g}")
    chart.add_xml_filter(_without_script_and_style)
    chart.x_labels = _shortened(labels) if horizontal else list(labels)
    for one in series:
        chart.add(one.name, list(one.values))
    return _with_title(chart.render(is_unicode=True), title)


# A label longer than this is cut, with "…": pygal gives the labels the width they ask for, and the plot what is left
# ("Del primer contacto a la invitación a solicitar" left it 19 px of 520). The table after each chart (its caption
# is the chart's title) says every label in full.
LABEL_CHARACTERS = 24


def _shortened(labels: tuple[str, ...]) -> list[str]:
    """Each label cut to LABEL_CHARACTERS: its start; when two long ones would then read alike (two surnames, events
    named alike but for the town at the end), their start and end; if they still do, numbered (" (2)", a few
    characters past the limit)."""
    def start(label: str) -> str:
        return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1].rstrip(" ,") + "…"

    def ends(label: str) -> str:
        head, tail = LABEL_CHARACTERS // 2, LABEL_CHARACTERS // 2 - 1
        return label if len(label) <= LABEL_CHARACTERS else f"{label[:head].rstrip(' ,')}…{label[-tail:].lstrip(' ,')}"

    cut = [start(label) for label in labels]
    cut = [ends(label) if cut.count(short) > 1 else short for label, short in zip(labels, cut, strict=True)]
    alike = {short for short in cut if cut.count(short) > 1}
    seen: dict[str, int] = {}
    for index, short in enumerate(cut):
        if short in alike:
            seen[short] = seen.get(short, 0) + 1
            cut[index] = f"{short} ({seen[short]})"
    return cut


def _with_title(svg: str, title: str) -> str:
    """Give the <svg> a <title> first (its accessible name) and role="img"; the table after it has the numbers."""
    opening = svg.index(">", svg.index("<svg")) + 1
    head = svg[:opening - 1] + ' role="img" aria-label="' + html.escape(title, quote=True) + '">'
    # pygal writes the SVG with an XML serializer (every label escaped); the title is escaped here.
    return head + "<title>" + html.escape(title) + "</title>" + svg[opening:]


def stylesheet() -> str:
    """The CSS pygal would have put inside each chart, for every chart of the page (static/charts.css)."""
    chart = pygal.Bar(style=STYLE, js=[], css=["file://style.css", "file://graph.css"])
    chart.x_labels = ["a"]
    for index in range(len(STYLE.colors)):
        chart.add(str(index), [1])
    svg = chart.render(is_unicode=True)
    css = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S).group(1)
    return html.unescape(_CHART_ID.sub(".pygal-chart", css)).strip() + "\n" + _PAGE_RULES


# The portal's own rules: a chart as wide as its column, never wider than a phone; printed without a page break
# between a chart and its table.
_PAGE_RULES = """
.chart svg.pygal-chart { display: block; width: 100%; max-width: 620px; height: auto; }
@media print { .chart { break-inside: avoid; } }
"""


def metrics_charts(metrics: Metrics) -> dict[str, Markup]:
    """The metrics page's charts (licensing/pipeline/metrics.py::Metrics), in the reader's language. The template
    puts each one right before the table of the same numbers."""
    families, licensed = _("Families"), _("Licensed")

    def by_group(title: str, groups, label) -> Markup:
        return bar_chart(title, [label(g) for g in groups],
                         [Series(families, tuple(g.families for g in groups)),
                          Series(licensed, tuple(g.licensed for g in groups))], horizontal=True)

    def days(value):
        return None if value is None else round(value, 1) + 0.0  # + 0.0: never "-0.0"

    return {
        # Every chart lies on its side: long labels (stages, sources, names) read along the axis, on a phone too.
        "funnel": bar_chart(_("Families who reached each stage"),
                            [stage_label(s.stage) for s in metrics.funnel.stages],
                            [Series(families, tuple(s.reached for s in metrics.funnel.stages))], horizontal=True),
        "durations": bar_chart(_("Days each step took"), [str(STEP_LABELS[d.step]) for d in metrics.durations],
                               [Series(_("Median"), tuple(days(d.median_days) for d in metrics.durations)),
                                Series(_("90th percentile"), tuple(days(d.p90_days) for d in metrics.durations))],
                               horizontal=True),
        "source": by_group(_("Families by source"), metrics.by_source, lambda g: str(SOURCE_LABELS[g.key])),
        "event": by_group(_("Families by recruitment event"), metrics.by_event, lambda g: g.name),
        "language": by_group(_("Families by language"), metrics.by_language, lambda g: language_label(g.key)),
        "homefinder": by_group(_("Families by homefinder"), metrics.by_homefinder,
                               lambda g: g.name or _("Not assigned")),
        "first_contact": bar_chart(_("Hours to first contact, by homefinder"),
                                   [c.name or _("Not assigned") for c in metrics.first_contact],
                                   [Series(_("Median"), tuple(days(c.median_hours) for c in metrics.first_contact)),
                                    Series(_("90th percentile"),
                                           tuple(days(c.p90_hours) for c in metrics.first_contact))],
                                   horizontal=True),
    }
