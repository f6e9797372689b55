"""WebFinger, host-meta, NodeInfo, actor documents and content negotiation — as a remote server sees them."""

from __future__ import annotations

from typing import Any

from spool.federation.keys import verify

AS = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def test_webfinger_finds_a_federating_profile_with_the_configured_domain_and_port(
    anon: Any, federating: Any, spool_config: Any
) -> None:
    ana = federating("ana")
    spool_config.domain = "spool.test:8443"
    response = anon.get("/.well-known/webfinger", {"resource": "acct:ana@spool.test:8443"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    data = response.json()
    assert data["subject"] == "acct:ana@spool.test:8443"
    self_link = next(link for link in data["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": AS, "href": f"http://spool.test:8443/ap/accounts/{ana.id}"}


def test_webfinger_does_not_reveal_profiles_that_did_not_opt_in(
    anon: Any, person: Any, spool_config: Any
) -> None:
    person("bo")
    response = anon.get("/.well-known/webfinger", {"resource": f"acct:bo@{spool_config.domain}"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert anon.get("/.well-known/webfinger").status_code == 400
    wrong_domain = anon.get("/.well-known/webfinger", {"resource": "acct:bo@elsewhere.example"})
    assert wrong_domain.status_code == 404


def test_host_meta_and_nodeinfo(anon: Any, federating: Any) -> None:
    federating("ana")
    meta = anon.get("/.well-known/host-meta")
    assert meta.status_code == 200 and "lrdd" in meta.content.decode()
    links = anon.get("/.well-known/nodeinfo").json()["links"]
    assert {link["rel"].rsplit("/", 1)[-1] for link in links} == {"2.0", "2.1"}
    for version in ("2.0", "2.1"):
        doc = anon.get(f"/nodeinfo/{version}").json()
        assert doc["version"] == version
        assert doc["software"]["name"] == "spool"
        assert doc["protocols"] == ["activitypub"]
        assert doc["usage"]["users"]["total"] == 1
    assert anon.get("/nodeinfo/9.9").status_code == 404


def test_actor_document_has_what_mastodon_needs(anon: Any, federating: Any) -> None:
    ana = federating("ana")
    ana.client.patch(
        "/api/spool/v1/accounts/me",
        '{"bio": "Weaving", "links": [{"url": "https://ana.example", "title": "Site"}]}',
        content_type="application/json",
    )
    response = anon.get(f"/ap/accounts/{ana.id}", HTTP_ACCEPT=AS)
    assert response.status_code == 200 and response["Content-Type"] == AS
    actor = response.json()
    uri = actor["id"]
    assert actor["type"] == "Person" and actor["preferredUsername"] == "ana"
    assert actor["inbox"] == f"{uri}/inbox" and actor["outbox"] == f"{uri}/outbox"
    assert actor["followers"] == f"{uri}/followers" and actor["following"] == f"{uri}/following"
    assert actor["featured"] == f"{uri}/featured"
    assert actor["endpoints"]["sharedInbox"].endswith("/ap/inbox")
    assert actor["publicKey"]["owner"] == uri and actor["publicKey"]["id"] == f"{uri}#main-key"
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["manuallyApprovesFollowers"] is False
    assert (
        actor["attachment"][0]["type"] == "PropertyValue"
        and "https://ana.example" in actor["attachment"][0]["value"]
    )
    assert "Weaving" in actor["summary"]
    # The same key signs for ana (generated once, kept).
    assert anon.get(f"/ap/accounts/{ana.id}").json()["publicKey"] == actor["publicKey"]
    for kind in ("outbox", "followers", "following", "featured"):
        collection = anon.get(f"/ap/accounts/{ana.id}/{kind}").json()
        assert collection["type"] == "OrderedCollection" and "totalItems" in collection


def test_profile_and_post_urls_negotiate_between_html_and_activitystreams(anon: Any, federating: Any) -> None:
    ana = federating("ana")
    post = ana.write("hello fediverse #weaving")
    page = anon.get("/@ana")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    for accept in (AS, LD):
        actor = anon.get("/@ana", HTTP_ACCEPT=accept)
        assert actor.status_code == 200 and actor.json()["type"] == "Person"
        note = anon.get(f"/@ana/post/{post['id']}", HTTP_ACCEPT=accept)
        assert note.status_code == 200
        data = note.json()
        assert data["type"] == "Note" and data["id"].endswith(f"/ap/posts/{post['id']}")
        assert data["tag"][0] == {"type": "Hashtag", "name": "#weaving", "href": data["tag"][0]["href"]}
    html = anon.get(f"/@ana/post/{post['id']}", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")


def test_nothing_is_served_for_profiles_that_did_not_opt_in(anon: Any, person: Any) -> None:
    bo = person("bo")
    post = bo.write("only on Spool")
    assert anon.get(f"/ap/accounts/{bo.id}").status_code == 404
    assert anon.get(f"/ap/posts/{post['id']}").status_code == 404
    assert anon.get("/@bo", HTTP_ACCEPT=AS).status_code == 404
    assert anon.get(f"/@bo/post/{post['id']}", HTTP_ACCEPT=AS).status_code == 404


def test_private_profiles_cannot_opt_in(person: Any) -> None:
    cy = person("cy")
    cy.go_private()
    response = cy.client.put(
        "/api/spool/v1/federation/me", '{"enabled": true}', content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "private_profile"
    assert cy.client.get("/api/spool/v1/federation/me").json()["enabled"] is False


def test_the_local_key_signs_what_the_actor_document_publishes(anon: Any, federating: Any) -> None:
    from spool.federation.keys import local_key, sign

    ana = federating("ana")
    pem = anon.get(f"/ap/accounts/{ana.id}").json()["publicKey"]["publicKeyPem"]
    signature = sign(local_key(ana.account).private_key_pem, b"hello")
    assert verify(pem, signature, b"hello")
    assert not verify(pem, signature, b"hullo")
