"""The waiting view tells the truth about the wait: with nobody online it says so and shows where
else to turn; once a counsellor with room is online, that the visitor is next."""

from playwright.sync_api import expect

from clbchat.config import DEFAULT_ALTERNATIVES

from ..clients import Counsellor
from .conftest import start_chat, widget


def test_nobody_online_shows_the_alternatives_then_a_free_counsellor_means_next(live, host_site, page):
    page.goto(host_site.url)
    start_chat(page, "Mila")
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    nobody = widget(page, "nobody-online")
    expect(nobody).to_be_visible()
    expect(nobody).to_contain_text("geen medewerker van het CLB online")
    for alternative in DEFAULT_ALTERNATIVES:
        expect(nobody).to_contain_text(alternative["name"])
    expect(widget(page, "estimate")).to_be_hidden()

    sofie = Counsellor(live)
    sofie.connect()
    expect(widget(page, "estimate")).to_have_text("Een medewerker is vrij: je bent zo aan de beurt.")
    expect(nobody).to_be_hidden()
