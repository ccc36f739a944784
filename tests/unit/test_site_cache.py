"""The widget API's site cache stays bounded however many made-up site names are asked for."""

from clbchat.widget_api import cors


def test_made_up_site_names_cannot_grow_the_cache_without_end(app, site, monkeypatch):
    monkeypatch.setattr(cors, "SITE_CACHE_MAX", 50)
    cors.clear_site_cache()
    for i in range(500):
        assert cors.site_info(f"verzonnen-{i}") is None
        assert len(cors._site_cache) <= 50
    assert cors.site_info("school")["name"] == "Testschool"  # real sites still answer
