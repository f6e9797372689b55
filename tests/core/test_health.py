from django.conf import settings


def test_health_reports_the_configured_database_and_a_working_cache(anon):
    body = anon.get("/healthz").json()
    assert body["cache"] is True
    expected = "postgresql" if settings.SPOOL.database_url.startswith("postgres") else "sqlite"
    assert body["database"] == expected


def test_unknown_api_path_answers_json_404(anon):
    response = anon.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"error": "No such API endpoint.", "code": "not_found"}
