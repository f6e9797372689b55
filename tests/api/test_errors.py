"""The JSON API answers malformed requests with its one error shape."""

import json


def test_a_body_that_is_not_json_is_a_400_with_a_code(client):
    response = client.post("/api/spool/v1/accounts/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "Cannot parse request body", "code": "bad_request"}


def test_a_wrong_type_names_the_field(client):
    body = {"email": "a@example.com", "password": 12345, "handle": "ana"}
    response = client.post("/api/spool/v1/accounts/", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "password"
    assert response.json()["code"] == "invalid"


def test_openapi_schema_is_served(anon):
    schema = anon.get("/api/spool/v1/openapi.json").json()
    assert schema["info"]["title"] == "Spool API"
    assert "/api/spool/v1/posts/" in schema["paths"]
