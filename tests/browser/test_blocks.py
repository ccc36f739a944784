"""In the browser: a counsellor ends a chat with a block; the pupil's widget says so kindly with the other
helplines; opening the button again in that tab (also after a reload) shows the same message instead of
the start form; another visitor (another browser) is not affected."""

from playwright.sync_api import expect

from .conftest import console_login, start_chat, widget


def test_a_blocked_session_sees_the_helplines_and_a_new_visitor_does_not(live, host_site, page, new_context):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie = console_login(new_context(), live, "sofie")
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{mila}"]')
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    pane.get_by_test_id("pane-block").click()
    dialog = sofie.get_by_test_id("block-dialog")
    expect(dialog).to_contain_text("Een nieuw venster of een andere browser is een nieuwe bezoeker")
    options = dialog.get_by_test_id("block-minutes").locator("option").all_inner_texts()
    assert options == ["1 uur", "2 uur", "4 uur", "8 uur", "24 uur"]  # longer only for a coordinator
    dialog.get_by_test_id("block-minutes").select_option(label="2 uur")
    dialog.get_by_test_id("block-confirm").click()
    expect(pane.get_by_test_id("pane-ended")).to_be_visible()

    blocked = widget(page, "blocked")
    expect(blocked).to_contain_text("Je kan de chat even niet gebruiken")
    expect(blocked.get_by_test_id("alternatives")).to_contain_text("1813")
    expect(widget(page, "star-1")).to_have_count(0)  # no rating after a block

    blocked.get_by_role("button", name="Sluiten").click()
    widget(page, "launcher").click()  # the button again, in the same tab
    expect(widget(page, "blocked")).to_be_visible()
    expect(widget(page, "nickname")).to_have_count(0)  # no start form
    page.reload()
    widget(page, "launcher").click()
    expect(widget(page, "blocked")).to_be_visible()

    other = new_context().new_page()  # another browser: a new visitor
    other.goto(host_site.url)
    widget(other, "launcher").click()
    expect(widget(other, "nickname")).to_be_visible()
    widget(other, "nickname").fill("Noor")
    widget(other, "start").click()
    expect(widget(other, "position")).to_contain_text("nummer")
