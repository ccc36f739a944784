"""Transport details that cost or save real resources: compression and caching."""

import requests

from ..clients import Counsellor, Visitor


def test_sockets_negotiate_no_compression_even_when_the_client_offers_it(live):
    mila = Visitor(live)
    mila.start()
    assert "permessage-deflate" in mila.socket.ws.request.headers["Sec-WebSocket-Extensions"]  # offered
    assert "Sec-WebSocket-Extensions" not in mila.socket.ws.response.headers  # declined
    sofie = Counsellor(live)
    sofie.connect()
    assert "Sec-WebSocket-Extensions" not in sofie.socket.ws.response.headers


def test_panel_modules_revalidate_and_the_loader_is_cached_briefly(live):
    loader = requests.get(f"{live.url}/widget.js")
    assert loader.headers["Cache-Control"] == "public, max-age=300"
    panel = requests.get(f"{live.url}/widget/panel.js")
    assert "no-cache" in panel.headers["Cache-Control"] and panel.headers["Access-Control-Allow-Origin"] == "*"
    again = requests.get(f"{live.url}/widget/panel.js", headers={"If-None-Match": panel.headers["ETag"]})
    assert again.status_code == 304
