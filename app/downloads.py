"""How a downloaded file is named: the document's own name, in any script, per RFC 6266.

Browsers that read `filename*` get the name exactly ("IIP 1 (CPSEL 1–3), revision 2.pdf",
"Thư của Hằng.pdf"); older clients get the `filename` fallback, the same name spelt in ASCII as
closely as it goes ("IIP 1 (CPSEL 1-3), revision 2.pdf"), never a name with its dashes dropped.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from werkzeug.wrappers import Response

# Typographic marks NFKD does not take apart, and their nearest ASCII.
_NEAREST = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": "'", "”": "'", '"': "'", "…": "...",
                          "\u00a0": " "})
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]+")
# RFC 5987 attr-char: what may stand unescaped in `filename*`.
_ATTR_CHARS = "!#$&+-.^_`|~"


def ascii_name(name: str) -> str:
    """`name` in printable ASCII: accents dropped from their letters, dashes and quotes made plain."""
    plain = unicodedata.normalize("NFKD", name.translate(_NEAREST)).encode("ascii", "ignore").decode()
    return _NOT_PRINTABLE.sub("_", plain).replace("\\", "_") or "document"


def content_disposition(name: str, inline: bool = False) -> str:
    """The header value naming the file: `attachment` (or `inline`), `filename` and, when the name is not
    plain ASCII, `filename*` in UTF-8."""
    fallback = ascii_name(name)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


def named(response: Response, name: str, inline: bool = False) -> Response:
    """`response` with its file named `name` (see content_disposition)."""
    response.headers["Content-Disposition"] = content_disposition(name, inline)
    return response
