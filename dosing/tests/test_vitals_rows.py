"""The vitals table's rows (dosing/templatetags/vitals_rows.py) are what the template's
loop wrote: each flag, each observation, the notes only where the page shows them, and
text that needs escaping (issue 14)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Engine
from django.test import SimpleTestCase

from dosing.models import VitalSigns
from dosing.summary import VitalsRow
from dosing.templatetags.vitals_rows import vitals_table_rows
from dosing.vitals import ABOVE, BELOW, Flag

NASTY = 'O\'Brien & "Sons" <b>'
AT = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)  # the evening before in Virginia

# The loop of templates/dosing/_vitals_table.html before its rows were written by the tag.
LOOP = """{% for row in rows %}
  <tr{% if row.flagged %} class="flagged" data-flagged="true"{% endif %}>
    <td><time datetime="{{ row.vitals.taken_at|date:'c' }}">{{ row.vitals.taken_at|date:"H:i" }}</time></td>
    <td>{{ row.vitals.get_phase_display }}</td>
    <td>{% if row.systolic_flag or row.diastolic_flag %}<span class="flag">⚠ {{ row.vitals.systolic }}/{{ row.vitals.diastolic }} <span class="flag-text">{% if row.systolic_flag %}{{ row.systolic_flag.label }}{% else %}{{ row.diastolic_flag.label }}{% endif %}</span></span>{% else %}{{ row.vitals.systolic }}/{{ row.vitals.diastolic }}{% endif %}</td>
    <td>{% if row.heart_rate_flag %}<span class="flag">⚠ {{ row.vitals.heart_rate }} <span class="flag-text">{{ row.heart_rate_flag.label }}</span></span>{% else %}{{ row.vitals.heart_rate }}{% endif %}</td>
    <td>{% if row.spo2_flag %}<span class="flag">⚠ {{ row.vitals.spo2 }}% <span class="flag-text">{{ row.spo2_flag.label }}</span></span>{% else %}{{ row.vitals.spo2 }}%{% endif %}</td>
    <td>{% if row.vitals.sedation %}Sedation. {% endif %}{% if row.vitals.dissociation %}Dissociation. {% endif %}{% if show_notes %}{{ row.vitals.notes }}{% endif %}{% if not row.vitals.sedation and not row.vitals.dissociation and not show_notes %}—{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


def flag(field: str, label: str) -> Flag:
    return Flag(field, label, f"{field} out of range")


def vitals(phase: str, **values: object) -> VitalSigns:
    readings = {"systolic": 120, "diastolic": 80, "heart_rate": 72, "spo2": 98}
    return VitalSigns(phase=phase, taken_at=AT, **{**readings, **values})


ROWS = [
    VitalsRow(vitals(VitalSigns.Phase.BASELINE), {}),
    VitalsRow(
        vitals(VitalSigns.Phase.MONITORING, systolic=171, sedation=True, notes=NASTY),
        {"systolic": flag("systolic", ABOVE)},
    ),
    VitalsRow(
        vitals(VitalSigns.Phase.MONITORING, diastolic=49, heart_rate=131, dissociation=True),
        {"diastolic": flag("diastolic", BELOW), "heart_rate": flag("heart_rate", ABOVE)},
    ),
    VitalsRow(
        vitals(VitalSigns.Phase.DISCHARGE, spo2=89, sedation=True, dissociation=True),
        {"spo2": flag("spo2", BELOW), "systolic": flag("systolic", "Above & <beyond>")},
    ),
    VitalsRow(vitals("unknown phase", notes="line one\nline two"), {}),
]


class VitalsRowsTests(SimpleTestCase):
    def test_it_writes_what_the_loop_wrote_with_and_without_the_notes(self) -> None:
        loop = Engine.get_default().from_string(LOOP)
        for show_notes in (True, False):
            context = Context({"rows": ROWS, "show_notes": show_notes})
            assert vitals_table_rows(ROWS, show_notes) == loop.render(context), show_notes

    def test_it_leaves_the_notes_out_where_the_page_does(self) -> None:
        assert "O&#x27;Brien" in vitals_table_rows(ROWS, True)
        assert "Above &amp; &lt;beyond&gt;" in vitals_table_rows(ROWS, False)
        assert "Brien" not in vitals_table_rows(ROWS, False)
        assert "line one" not in vitals_table_rows(ROWS, False)
