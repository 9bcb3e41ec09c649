"""`/ui`: the chat page and its assets are served from the package, self-contained and locked down."""

import re

from fastapi.testclient import TestClient


def test_chat_page_is_self_contained_and_locked_down(client: TestClient) -> None:
    assert client.get("/ui", follow_redirects=False).status_code in (307, 308)
    page = client.get("/ui/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(not ref.startswith(("http:", "https:", "//")) for ref in references)  # no CDN
    for ref in references:
        if not ref.startswith("data:"):
            assert client.get(f"/ui/{ref}").status_code == 200, ref
    assert client.get("/ui/../api/app.py").status_code == 404
    assert client.get("/").json()["endpoints"]["ui"] == "/ui/"
