"""A prerendered page answers at its own address, without a redirect to the slash."""

from __future__ import annotations

from pathlib import Path

from crm_pwa.api.page_paths import page_path


def test_directory_page_is_served_from_its_index_when_asked_without_the_slash(
    tmp_path: Path,
) -> None:
    (tmp_path / "signin").mkdir()
    (tmp_path / "signin" / "index.html").write_text("<html>sign in</html>")
    assert page_path(tmp_path, "/signin") == "/signin/"


def test_other_paths_are_left_alone_when_they_name_no_page_directory(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index.html").write_text("x")
    (tmp_path / "signin").mkdir()
    for path in ("/", "/signin/", "/pwa.js", "/contacts/42", "/api/v1/assets", "/../signin"):
        assert page_path(tmp_path, path) == path
