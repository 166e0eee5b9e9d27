from __future__ import annotations

import pytest

from crm_pwa.domain.push_endpoint import check_push_endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH",
        "https://android.googleapis.com/gcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABf",
        "https://updates-autopush.stage.mozaws.push.services.mozilla.com/wpush/v1/x",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://api.push.apple.com/3/device/abc",
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAD%2b",
        "https://FCM.googleapis.com:443/fcm/send/abc",
    ],
)
def test_endpoint_is_accepted_when_on_a_known_push_service(endpoint: str) -> None:
    assert check_push_endpoint(endpoint) == endpoint


@pytest.mark.parametrize(
    ("endpoint", "extra_hosts"),
    [
        ("http://127.0.0.1:8123/push/abc", ["127.0.0.1:8123"]),
        ("https://127.0.0.1:8123/push/abc", ["127.0.0.1:8123"]),
        ("https://push.example.test/push/abc", ["push.example.test"]),
        ("http://push.example.test:9000/push/abc", ["push.example.test"]),
        ("http://push.example.test/push/abc", ["push.example.test:80"]),
        ("http://[::1]:8123/push/abc", ["[::1]:8123"]),
    ],
)
def test_endpoint_is_accepted_when_its_host_is_an_extra_host(
    endpoint: str, extra_hosts: list[str]
) -> None:
    assert check_push_endpoint(endpoint, extra_hosts) == endpoint


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("", "empty"),
        ("http://fcm.googleapis.com/fcm/send/abc", "https"),
        ("ftp://fcm.googleapis.com/fcm/send/abc", "https"),
        ("javascript:alert(1)", "https"),
        ("fcm.googleapis.com/fcm/send/abc", "https"),
        ("https:///fcm/send/abc", "no host"),
        ("https://evil.example.com/push", "not a known push service"),
        ("https://fcm.googleapis.com.evil.example.com/push", "not a known push service"),
        ("https://evilfcm.googleapis.com/push", "not a known push service"),
        ("https://push.services.mozilla.com/push", "not a known push service"),
        ("https://evil.com.push.apple.com./x", "not a known push service"),
        ("https://notify.windows.com/w/", "not a known push service"),
        ("https://fcm.googleapis.com:8443/fcm/send/abc", "port"),
        ("https://fcm.googleapis.com:99999/fcm/send/abc", "invalid port"),
        ("https://user:pw@fcm.googleapis.com/fcm/send/abc", "user name"),
        ("https://fcm.googleapis.com@evil.example.com/x", "user name"),
        ("https://fcm.googleapis.com\\@evil.example.com/x", "characters"),
        ("https://fcm.googleapis.com/fcm send/abc", "characters"),
        ("https://fcm.googleapis.com/fcm/send/abc#frag", "fragment"),
        ("https://10.0.0.5/push", "IP address"),
        ("https://169.254.169.254/latest/meta-data", "IP address"),
        ("http://[::1]/push", "IP address"),
        ("https://fcm.googleapis.com/" + "a" * 2048, "longer than 2048"),
    ],
)
def test_endpoint_is_rejected_when_not_a_push_service(endpoint: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_push_endpoint(endpoint)


@pytest.mark.parametrize(
    ("endpoint", "extra_hosts", "message"),
    [
        ("http://127.0.0.1:9999/push/abc", ["127.0.0.1:8123"], "IP address"),
        ("http://127.0.0.2:8123/push/abc", ["127.0.0.1:8123"], "IP address"),
        ("http://push.example.test:9000/push/abc", ["push.example.test:8000"], "known"),
        ("http://other.example.test/push/abc", ["push.example.test"], "known"),
        ("http://fcm.googleapis.com/fcm/send/abc", ["push.example.test"], "https"),
    ],
)
def test_endpoint_is_rejected_when_it_misses_the_extra_hosts(
    endpoint: str, extra_hosts: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_push_endpoint(endpoint, extra_hosts)


@pytest.mark.parametrize("entry", ["", "user@push.example.test", "push.example.test/path", "h:x"])
def test_check_fails_when_an_extra_host_entry_is_malformed(entry: str) -> None:
    with pytest.raises(ValueError, match="extra push host"):
        check_push_endpoint("https://fcm.googleapis.com/fcm/send/abc", [entry])
