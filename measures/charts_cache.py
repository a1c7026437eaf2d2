"""A client's outcome chart pictures, kept until the scores they draw change
(common.pictures, issue 14).

The picture is drawn by `measures.outcomes.charts.client_instrument_svg` (matplotlib,
about 100 ms); its fingerprint is `chart_version` (the scores, their safety flags, the
dosing starts, the instrument's version and cut point: two small queries) with the
plausible days, which decide what is left out. The outcomes view serves it through
`client_instrument_svg` below instead of drawing on every request.
"""

from __future__ import annotations

from clients.models import Client
from common.dates import plausible
from common.pictures import cached_picture
from measures.models import Instrument
from measures.outcomes import charts


def client_instrument_svg(client: Client, instrument: Instrument) -> str:
    """`client`'s `instrument` chart: from the cache while its data is the same."""
    fingerprint = (charts.chart_version(client, instrument), plausible())
    return cached_picture(
        f"measure-chart-{instrument.code}",
        client.pk,
        fingerprint,
        lambda: charts.client_instrument_svg(client, instrument),
    )
