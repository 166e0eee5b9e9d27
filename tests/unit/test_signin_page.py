"""The sign-in page made in Python: what a phone shows, and what its scripts may run."""

from __future__ import annotations

import re

from crm_pwa.api.browser_headers import inline_script_hashes
from crm_pwa.pages.signin import pages_for_policy, sign_in_page, signed_in_page


def test_page_has_the_form_a_phone_needs_and_no_react() -> None:
    page = sign_in_page()
    assert "<title>Sign in · Rapport</title>" in page
    assert page.count("<main") == 1 and page.count("<h1") == 1
    assert '<form id="signin" method="post" action="/signin">' in page
    assert re.search(r'<label>Email<input name="email" type="email" autocomplete="email"', page)
    assert 'type="password" autocomplete="current-password"' in page
    assert "Forgot password?" in page and "Ask your admin for a password reset link" in page
    assert '<p role="alert"' not in page
    # One document: no script file, no stylesheet, nothing to wait for.
    assert not re.search(r"<script[^>]*\bsrc=|<link[^>]*stylesheet", page)


def test_refusal_is_said_and_the_email_kept_with_markup_escaped() -> None:
    page = sign_in_page('/signin?next=%2Fx"', email='dana"@x', error="Wrong <b>")
    assert '<p role="alert">Wrong &lt;b&gt;</p>' in page
    assert 'value="dana&quot;@x"' in page
    assert 'action="/signin?next=%2Fx&quot;"' in page


def test_session_is_handed_over_in_attributes_escaped() -> None:
    page = signed_in_page('t"k', "dev", "/contacts/1?a=1&b=2")
    assert 'data-token="t&quot;k"' in page
    assert 'data-next="/contacts/1?a=1&amp;b=2"' in page


def test_inline_scripts_are_the_same_text_on_every_answer_so_the_policy_can_allow_them() -> None:
    allowed = set(inline_script_hashes(pages_for_policy()))
    answers = [sign_in_page("/signin?next=%2Fx", "a@b", "No"), signed_in_page("t", "d", "/team")]
    assert len(allowed) == 2
    assert set(inline_script_hashes(answers)) == allowed
