"""Absolute URLs come from LMS_PUBLIC_URL; a request for another host is refused."""

import re

import pytest

from lms import create_app
from lms.config import ConfigurationError
from lms.extensions import db
from tests.conftest import PASSWORD, stamp_latest

PUBLIC = "https://hocvien.example.vn"


@pytest.fixture
def config(config):
    config["LMS_PUBLIC_URL"] = PUBLIC + "/"
    return config


def test_a_request_for_another_host_is_refused(client):
    for url in ("/badges/issuer", "/verify/ABCD", "/login", "/api/v1/openapi.json"):
        response = client.get(url, headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert b"evil.example" not in response.data
    assert client.get("/login", base_url=PUBLIC).status_code == 200
    # On the machine itself (a health check), links still name the public address.
    local = client.get("/badges/issuer", base_url="http://127.0.0.1:8000")
    assert local.status_code == 200 and local.get_json()["id"].startswith(PUBLIC)


def test_links_people_copy_point_at_the_public_address(client, classroom):
    issuer = client.get("/badges/issuer", base_url=PUBLIC).get_json()
    assert issuer["id"] == f"{PUBLIC}/badges/issuer"
    trainer = client.application.test_client()
    trainer.post(
        "/login",
        data={"phone": "0912000002", "password": PASSWORD},
        base_url=PUBLIC,
    )
    page = trainer.get(f"/teach/classes/{classroom.id}", base_url=PUBLIC)
    html = page.get_data(as_text=True)
    assert f"{PUBLIC}/join" in html and "localhost" not in html
    qr = trainer.get(f"/teach/classes/{classroom.id}/qr.svg", base_url=PUBLIC)
    assert f"{PUBLIC}/join/{classroom.join_code}" in qr.get_data(as_text=True)


def test_a_forwarded_host_is_refused_too(config):
    app = create_app(config | {"LMS_PROXY_HOPS": 1})
    response = app.test_client().get(
        "/badges/issuer",
        base_url=PUBLIC,
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "10.0.0.1"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("address", ["hocvien.example.vn", "ftp://x", "https://"])
def test_a_public_address_that_is_not_one_is_refused_at_start(config, address):
    with pytest.raises(ConfigurationError, match="LMS_PUBLIC_URL"):
        create_app(config | {"LMS_PUBLIC_URL": address})


def test_the_default_public_address_is_the_one_python_app_py_serves(config, tmp_path):
    del config["LMS_PUBLIC_URL"]
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(config)
    with app.app_context():
        db.create_all()
        stamp_latest(app)
    assert app.config["LMS_PUBLIC_URL"] == "http://127.0.0.1:5000"
    client = app.test_client()
    issuer = client.get("/badges/issuer", base_url="http://localhost:5000")
    assert issuer.status_code == 200
    assert issuer.get_json()["id"] == "http://127.0.0.1:5000/badges/issuer"
    assert re.match(r"http://127\.0\.0\.1:5000/", issuer.get_json()["url"])
