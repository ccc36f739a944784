"""Pages people open directly: the start page and the Dutch error pages; the JSON API keeps JSON errors."""

import pytest


@pytest.fixture
def client(app):
    return app.test_client()


def assert_dutch_page(response, status: int, *phrases: str):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="nl-BE">' in page
    assert "Not Found" not in page and "Method Not Allowed" not in page  # not Flask's English page
    for phrase in phrases:
        assert phrase in page
    return page


def test_an_unknown_chat_is_a_dutch_page_with_the_alternatives(client):
    page = assert_dutch_page(client.get("/chat/unknown-site"), 404, "Deze chat bestaat niet", "Awel", "102",
                             "112", 'href="/"')
    assert "unknown-site" not in page  # what the address says is not echoed back


def test_a_known_chat_still_opens(client):
    assert client.get("/chat/school").status_code == 200


def test_the_start_page_says_what_the_service_is_and_links_to_the_console(client):
    page = assert_dutch_page(client.get("/"), 200, "Anoniem chatten met het CLB", "chatknop",
                             'href="/console/"', "1813")
    assert "Naar de startpagina" not in page


@pytest.mark.parametrize("path", ["/nergens", "/chat", "/chat/school/extra", "/widget/../../etc/passwd"])
def test_other_unknown_addresses_get_a_dutch_404(client, path):
    assert_dutch_page(client.get(path), 404, "Pagina niet gevonden")


def test_console_errors_are_dutch_pages_that_lead_back_to_the_console(client):
    page = assert_dutch_page(client.get("/console/bestaat-niet"), 404, "Pagina niet gevonden", 'href="/console/"')
    assert "Awel" not in page  # staff pages: no helplines
    not_allowed = client.get("/console/logout")
    assert_dutch_page(not_allowed, 405, "Dat kan hier niet")
    assert "POST" in not_allowed.headers["Allow"]


def test_a_login_without_its_form_token_says_the_form_expired(client):
    response = client.post("/console/login", data={"username": "sofie", "password": "x"})
    assert_dutch_page(response, 400, "Je formulier is verlopen")


@pytest.mark.parametrize("path, code", [("/api/sites/unknown-site/status", "unknown_site"),
                                        ("/api/bestaat-niet", "not_found"),
                                        ("/console/api/bestaat-niet", "not_found")])
def test_the_json_api_keeps_json_errors(client, path, code):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["code"] == code
