"""A test run serves the last build again only when nothing it is made of changed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.utils import app_build
from tests.utils.app_server import _free_port

ENV = {"RAPPORT_DEMO": "on", "RAPPORT_DATA_DIR": "/tmp/one-run", "PATH": "/usr/bin"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with sources and a build, the build recorded on a free port."""
    (tmp_path / "crm_pwa").mkdir()
    (tmp_path / "crm_pwa" / "page.py").write_text("TITLE = 'Today'\n")
    (tmp_path / "rxconfig.py").write_text("config = None\n")
    web = tmp_path / ".web"
    (web / "build" / "client").mkdir(parents=True)
    (web / "build" / "client" / "index.html").write_text("<html></html>")
    (web / "env.json").write_text("{}")
    monkeypatch.setattr(app_build, "ROOT", tmp_path)
    monkeypatch.setattr(app_build, "WEB", web)
    monkeypatch.setattr(app_build, "STAMP", web / "rapport-test-build.json")
    return tmp_path


def _built(port: int) -> None:
    sources = app_build.sources_digest(ENV)
    app_build.forget()
    app_build.remember(port, ENV, sources)


def test_the_build_is_served_again_on_its_port_when_nothing_changed(project: Path) -> None:
    port = _free_port()
    _built(port)
    # Where a run keeps its data, and the suite's own settings, are not the build's.
    other_run = {**ENV, "RAPPORT_DATA_DIR": "/tmp/another-run", "RAPPORT_TEST_SCALED": "on"}
    assert app_build.reusable_port(other_run) == port


def test_a_changed_source_or_setting_means_a_new_build(project: Path) -> None:
    _built(_free_port())
    assert app_build.reusable_port({**ENV, "RAPPORT_DEMO": "off"}) is None
    (project / "crm_pwa" / "page.py").write_text("TITLE = 'Tomorrow'\n")
    assert app_build.reusable_port(ENV) is None


def test_a_build_made_since_by_something_else_is_not_taken_for_the_recorded_one(
    project: Path,
) -> None:
    _built(_free_port())
    index = project / ".web" / "build" / "client" / "index.html"
    index.write_text("<html>built by make run</html>")
    assert app_build.reusable_port(ENV) is None


def test_a_busy_port_or_a_build_cut_short_means_a_new_build(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        _built(taken.getsockname()[1])
        assert app_build.reusable_port(ENV) is None
    app_build.forget()
    assert app_build.reusable_port(ENV) is None


def test_no_stamp_is_left_when_a_source_changed_while_the_app_was_built(project: Path) -> None:
    sources = app_build.sources_digest(ENV)
    app_build.forget()
    (project / "rxconfig.py").write_text("config = 'edited during the build'\n")
    app_build.remember(_free_port(), ENV, sources)
    assert app_build.reusable_port(ENV) is None
