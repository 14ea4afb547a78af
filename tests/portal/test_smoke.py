from tests.conftest import sign_in


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": True}


def test_demo_like_sign_in_lands_on_role_dashboard(client, make_user):
    user = make_user("homefinder")
    response = sign_in(client, user)
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "New inquiries" in page.get_data(as_text=True)
