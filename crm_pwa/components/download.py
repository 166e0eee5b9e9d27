"""Saving an API answer as a file: the browser asks with the rep's token, then downloads it.

A plain link cannot carry the `Authorization` header the API needs, so the page
fetches the file itself and hands it to the browser as a download under the
name the server gave (Content-Disposition). The script answers `{ok, message}`.
"""

from __future__ import annotations

import json

from crm_pwa.state.session import TOKEN_KEY

_DOWNLOAD_JS = """
(async (path) => {
  try {
    let token = localStorage.getItem(%(key)s) || '';
    if (token.startsWith('"')) token = JSON.parse(token);
    const answer = await fetch(path, {headers: {Authorization: 'Bearer ' + token}});
    if (!answer.ok) {
      const body = await answer.json().catch(() => ({}));
      return {ok: false, message: String(body.detail || 'The download failed.')};
    }
    const said = answer.headers.get('content-disposition') || '';
    const name = (said.match(/filename="([^"]+)"/) || [])[1] || 'rapport-export';
    const url = URL.createObjectURL(await answer.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return {ok: true, message: 'Saved ' + name + '.'};
  } catch (error) {
    return {ok: false, message: 'The download failed: ' + String(error.message || error)};
  }
})
"""


def download_script(path: str) -> str:
    """JavaScript that downloads the API file at `path` (e.g. /api/v1/export/contacts.csv)."""
    return (_DOWNLOAD_JS % {"key": json.dumps(TOKEN_KEY)}).strip() + f"({json.dumps(path)})"
