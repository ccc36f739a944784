"""The annual report page: a coordinator reads the figures of the hand-made data set (tests/report_data.py)
for a school year, with the period before and how each figure is computed; the printed version reads
"< 5" for small figures; a counsellor gets 403; a bad period gets a clear Dutch message, not a 500."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clbchat.cli import upsert_user
from clbchat.domain.report_period import school_year, school_year_of
from clbchat.extensions import db

from .. import report_data
from ..clients import Counsellor
from ..conftest import PASSWORD


@pytest.fixture
def coordinator(app, live) -> Counsellor:
    with app.app_context():
        upsert_user("coord", "Kim", "coordinator", PASSWORD)
        report_data.build(db.session)
        db.session.remove()
    return Counsellor(live, "coord")


def table(page: str, key: str, printed: bool = False) -> list[list[str]]:
    """The rows of one table as their text on screen (or on paper)."""
    block = re.search(rf'<figure class="report-table[^"]*" data-table="{key}">(.*?)</figure>', page, re.S).group(1)
    hidden = "on-screen" if printed else "in-print"
    block = re.sub(rf'<span class="{hidden}">.*?</span>', "", block)
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_a_coordinator_reads_the_figures_of_a_school_year(live, coordinator):
    response = coordinator.http.get(f"{live.url}/console/report", params={"year": "2025-2026"}, timeout=10)
    assert response.status_code == 200
    page = response.text
    assert "CLBch@t in cijfers: schooljaar 2025-2026" in page
    assert "Vergeleken met de periode ervoor: schooljaar 2024-2025." in page
    overview = table(page, "overview")
    assert overview[0] == ["Cijfer", "schooljaar 2025-2026", "schooljaar 2024-2025", "Verschil"]
    assert overview[1] == ["Chatoproepen", "8", "3", "+166,7 %"]
    assert overview[3] == ["Aandeel beantwoord", "75,0 %", "66,7 %", "+8,3 ptn"]
    # CHAT_HOURS is 24/7 in the tests: every day of September is an opening day.
    assert table(page, "requests_per_month")[1] == ["september 2025", "4", "2", "30", "0,1", "0,1"]
    assert table(page, "waiting")[-2] == ["Totaal", "6", "93,3 s", "50,0 s", "210,0 s", "66,7 %"]
    assert table(page, "suicide")[-1] == ["2025-2026 (deze periode)", "5", "2", "40,0 %", "+100,0 %", "−10,0 ptn",
                                          "−20,0 %"]
    assert "Beantwoord = een chatmedewerker nam het gesprek op" in page  # each figure says how it is computed
    # A visitor's comment is text, never markup.
    assert "Oké &lt;b&gt;niet vet&lt;/b&gt;" in page and "<b>niet vet</b>" not in page
    assert table(page, "comments")[3][-1] == "Oké <b>niet vet</b>"


def test_the_printed_report_shows_small_figures_as_less_than_five_and_leaves_out_the_counsellors(live, coordinator):
    page = coordinator.http.get(f"{live.url}/console/report", params={"year": "2025-2026"}, timeout=10).text
    assert table(page, "pranks")[1] == ["schooljaar 2025-2026", "5", "1", "20,0 %"]
    assert table(page, "pranks", printed=True)[1] == ["schooljaar 2025-2026", "5", "< 5", "< 5"]
    assert 'class="report-table screen-only" data-table="per_counsellor"' in page
    assert "@media print" in coordinator.http.get(f"{live.url}/static/console/report.css", timeout=5).text


def test_the_default_is_the_current_school_year_and_an_empty_period_says_so(live, coordinator):
    page = coordinator.http.get(f"{live.url}/console/report", timeout=10).text
    current = school_year(school_year_of(datetime.now(ZoneInfo("Europe/Brussels")).date()))
    assert f"CLBch@t in cijfers: {current.label}" in page
    empty = coordinator.http.get(f"{live.url}/console/report", params={"from": "2020-01", "to": "2020-03"},
                                 timeout=10)
    assert empty.status_code == 200 and 'data-testid="report-empty"' in empty.text
    assert "CLBch@t in cijfers: januari 2020 - maart 2020" in empty.text


def test_a_months_range_is_compared_with_the_months_before_it(live, coordinator):
    page = coordinator.http.get(f"{live.url}/console/report", params={"from": "2025-09", "to": "2025-10"},
                                timeout=10).text
    assert "Vergeleken met de periode ervoor: juli 2025 - augustus 2025." in page
    assert table(page, "overview")[1] == ["Chatoproepen", "7", "1", "+600,0 %"]  # c1-c7; p1 on 31 August


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"from": "2026-03", "to": "2025-09"}, "to", "De laatste maand ligt vóór de eerste"),
    ({"from": "2025-13", "to": "2026-01"}, "from", "Geef een maand als jjjj-mm"),
    ({"from": "2025-09"}, "to", "Kies ook de laatste maand"),
    ({"year": "2099-2100"}, "year", "Deze periode ligt in de toekomst"),
    ({"year": "<script>"}, "year", "Geef een schooljaar als 2017-2018"),
])
def test_a_bad_period_gets_a_clear_message(live, coordinator, params, field, message):
    response = coordinator.http.get(f"{live.url}/console/report", params=params, timeout=10)
    assert response.status_code == 422
    error = re.search(r'<p class="report-error"[^>]*data-field="([^"]*)">(.*?)</p>', response.text, re.S)
    assert error.group(1) == field and message in html.unescape(error.group(2))
    assert "<script>" not in response.text  # what was typed comes back as text
    assert 'data-table="overview"' not in response.text and "<h1>CLBch@t in cijfers</h1>" in response.text


def test_a_counsellor_gets_403_and_no_link(app, live, coordinator):
    sofie = Counsellor(live, "sofie")
    assert sofie.http.get(f"{live.url}/console/report", timeout=5).status_code == 403
    assert "/console/report" not in sofie.http.get(f"{live.url}/console/", timeout=5).text
    assert 'href="/console/report">Jaarverslag</a>' in coordinator.http.get(f"{live.url}/console/", timeout=5).text
