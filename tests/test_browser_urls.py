"""Where the browser finds the restaurant, and which hosts the restaurant answers for."""
from labkit.runtime.browser import Link, browser_url
from restaurant.classroom.hosts import hub_hosts, trusted_origins


def test_plain_python_or_a_laptop_goes_straight_to_daphne(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.delenv("ORDERUP_BROWSER", raising=False)
    assert browser_url(8123, "/table/5/") == "http://127.0.0.1:8123/table/5/"


def test_jupyterhub_and_binder_go_through_the_proxy(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.delenv("ORDERUP_BROWSER", raising=False)
    assert browser_url(8123, "table/5/") == "/user/alice/proxy/8123/table/5/"
    monkeypatch.setenv("ORDERUP_BROWSER", "direct")  # an SSH tunnel, say
    assert browser_url(8123, "table/5/") == "http://127.0.0.1:8123/table/5/"


def test_the_proxy_can_be_asked_for_without_a_hub(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.setenv("ORDERUP_BROWSER", "proxy")
    assert browser_url(8123) == "/proxy/8123/"


def test_a_link_shows_as_an_anchor_and_as_text():
    link = Link("/user/alice/proxy/8123/table/5/", "table 5's page")
    assert '<a href="/user/alice/proxy/8123/table/5/" target="_blank"' in link._repr_html_()
    assert repr(link) == "table 5's page: /user/alice/proxy/8123/table/5/"


def test_no_hub_no_extra_hosts():
    assert hub_hosts({}) == []


def test_hub_hosts_come_from_the_hubs_environment():
    environ = {
        "ORDERUP_ALLOWED_HOSTS": "workshop.example.org, other.example.org",
        "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/user/alice/",
        "JUPYTERHUB_HOST": "https://alice.users.example.org",
        "BINDER_LAUNCH_HOST": "https://mybinder.org/",
    }
    assert hub_hosts(environ) == ["workshop.example.org", "other.example.org", "hub.example.org",
                                  "alice.users.example.org", ".mybinder.org"]
    assert trusted_origins({"BINDER_LAUNCH_HOST": "https://mybinder.org/",
                            "ORDERUP_ALLOWED_HOSTS": "hub.example.org"}) == [
        "https://hub.example.org", "https://*.mybinder.org"]


def test_an_https_hub_on_another_port_is_a_trusted_origin_with_its_port():
    """Django's CSRF check compares scheme, host and port: https://hub.test:18443 must be listed
    as it is (the proxy speaks http to Daphne, so the Origin matches no Host header)."""
    environ = {"JUPYTERHUB_PUBLIC_URL": "https://hub.test:18443/user/alice/"}
    assert hub_hosts(environ) == ["hub.test"]
    assert trusted_origins(environ) == ["https://hub.test:18443", "https://hub.test"]
    assert trusted_origins({"ORDERUP_PUBLIC_URL": "http://hub.test:8000"})[0] == "http://hub.test:8000"


def test_the_same_host_named_twice_is_listed_once():
    assert hub_hosts({"ORDERUP_ALLOWED_HOSTS": "hub.example.org",
                      "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/"}) == ["hub.example.org"]
