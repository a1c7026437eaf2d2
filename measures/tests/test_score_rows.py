"""A client's scores on the measure charts' page, written in Python
(measures.outcomes.rows.score_rows), are the rows the page's template wrote (issue 14)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.test import SimpleTestCase

from measures.models import Instrument, Response
from measures.outcomes.charts import Flag
from measures.outcomes.rows import score_rows
from measures.outcomes.views import ScoreRow
from measures.scoring import Change

# The loop of measures/reports/client.html before the rows were written in Python.
BEFORE = Template(
    """{% for row in rows %}
    <tr>
      <td><time datetime="{{ row.response.answered_at|date:'c' }}">\
{{ row.response.answered_at|date:"Y-m-d" }}</time></td>
      <td>{{ row.response.instrument.short_name }}</td>
      <td class="num">{{ row.response.total }}</td>
      <td>{% for flag in row.flags %}<span class="item-flag"><span aria-hidden="true">▲</span> \
Item {{ flag.item }}: {{ flag.value }} (above {{ flag.threshold }})</span>\
{% if not forloop.last %}<br>{% endif %}{% empty %}—{% endfor %}</td>
      <td>{{ row.response.band_label }}</td>
      <td>{% if row.response.source == "paper" %}Paper form\
{% elif row.response.source == "fhir" %}Previous provider (FHIR file)\
{% else %}Secure link{% endif %}</td>
      <td>{% if row.is_baseline %}Baseline{% else %}{% with c=row.change %}\
{{ c.delta|stringformat:"+d" }} points{% if c.percent is not None %} \
({{ c.percent|floatformat:1 }}%){% endif %}
        {% if c.response is not None %}<br>{{ row.rules.response }}: \
{{ c.response|yesno:"yes,no" }}{% endif %}
        {% if c.remission is not None %}<br>{{ row.rules.remission }}: \
{{ c.remission|yesno:"yes,no" }}{% endif %}
        {% if c.meaningful is not None %}<br>{{ row.rules.meaningful }}: \
{{ c.meaningful|yesno:"yes,no" }}{% endif %}
        {% if c.reliable is not None %}<br>{{ row.rules.reliable }}: \
{{ c.reliable|yesno:"yes,no" }}{% endif %}
        <br><small>(not a diagnosis)</small>{% endwith %}{% endif %}</td>
    </tr>
    {% endfor %}"""
)

RULES = {
    "response": "Response (a drop of 50% or more)",
    "remission": "Remission <total below 5>",
    "meaningful": 'Meaningful & "clinically"',
    "reliable": "Reliable change",
}


def _row(n: int, source: str, change: Change | None, flags: tuple[Flag, ...] = ()) -> ScoreRow:
    instrument = Instrument(code="phq9", short_name="PHQ-9 <i>", name="PHQ-9")
    response = Response(
        instrument=instrument,
        total=n,
        band_label="Moderately <severe> & more",
        source=source,
        answered_at=dt.datetime(2026, 3, n + 1, 23, 30, tzinfo=dt.UTC),
    )
    return ScoreRow(response, change is None, change, RULES, flags)


class ScoreRowsTests(SimpleTestCase):
    def test_it_writes_the_rows_the_template_wrote(self) -> None:
        rows = [
            _row(20, "link", None),
            _row(9, "paper", Change(-11, -55.0, True, False, None, None), (Flag(9, 1, 0),)),
            _row(
                4,
                "fhir",
                Change(-16, -80.0, True, True, True, True),
                (Flag(9, 2, 0), Flag(3, 3, 2)),
            ),
            _row(0, "link", Change(0, None, None, None, None, None)),
            _row(27, "other", Change(7, 33.333, False, False, False, False)),
            _row(5, "link", Change(-2, -28.57142, None, None, True, None)),
        ]
        expected = BEFORE.render(Context({"rows": rows}))

        self.assertHTMLEqual(str(score_rows(rows)), expected)
        self.assertIn("-16 points (-80.0%)", str(score_rows(rows)))
        self.assertIn("+7 points (33.3%)", str(score_rows(rows)))

    def test_it_writes_nothing_for_no_score(self) -> None:
        self.assertEqual(str(score_rows([])), "")
