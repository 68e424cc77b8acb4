"""URL dialing with ``.dialstring`` files (seed 003 "URL Dialing", Grandstream, Yealink).

Note 2 holds a file name ending in ``.dialstring``; the file lives in
``<config>/dialstrings`` and its first non-blank line is a URL template::

    http://@user/cgi-bin/api-make_call?phonenumber=@phone&account=0&password=@pass
    http://@user/servlet?key=number=@phone&outgoing_uri=@pass

Which file (decision where the seed's ``<ID>`` placeholder was lost):

- Note 2 names the operator's own file — ``<operator id>.dialstring`` in any
  case, the seed's bare ``.dialstring`` or ``own.dialstring`` — → the
  operator's ``<operator id lower>.dialstring``, falling back to
  ``global.dialstring``;
- any other name → that file, falling back to ``global.dialstring``.

File names are matched case-insensitively (sites copy their folders from
Windows).  No file found → :class:`DialConfigError` listing what was looked for.

Substitution is one pass (a value containing ``@phone`` is never re-expanded):
``@phone`` → the cleaned number, ``@user`` → Note 1 left of the first ``&``
verbatim (the generic examples put the phone's ``host[:port]`` there),
``@pass`` → Note 1 right of the first ``&``, percent-encoded where it would
break a URL (``& # ? / + = %`` and spaces).

The URL is called with a GET and a timeout; :func:`call_dial_url` blocks, so
the :class:`~collectdesk.devices.dialing.Dialer` runs it in a background thread.
Proxies from the environment are bypassed for loopback and private addresses
(desk phones sit on the LAN).  Only ``http`` and ``https`` URLs are called.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .dial_errors import DialConfigError

SUFFIX = ".dialstring"
GLOBAL_FILE = "global.dialstring"
DIALSTRINGS_FOLDER = "dialstrings"
_TOKEN = re.compile(r"@(phone|user|pass)", re.IGNORECASE)
_PASS_SAFE = "@:.-_~!$'()*,;"
_MAX_BODY = 65536


def is_dialstring_note(note2: str) -> bool:
    return note2.strip().lower().endswith(SUFFIX)


def split_note1(note1: str | None) -> tuple[str, str]:
    """Note 1 ``user&pass`` → (user, pass), split on the first ``&``."""
    user, _, password = (note1 or "").strip().partition("&")
    return user, password


def dialstring_candidates(note2: str, operator_id: str) -> list[str]:
    """The file names tried, in order, for this Note 2 and operator."""
    name = note2.strip()
    if any(sep in name for sep in "/\\") or name.startswith(".."):
        raise DialConfigError(
            f"Note 2 {name!r} must be a file name in the dialstrings folder, not a path.")
    stem = name[: -len(SUFFIX)]
    own = f"{operator_id.lower()}{SUFFIX}" if operator_id else ""
    if own and stem.lower() in ("", "own", operator_id.lower()):
        first = own
    elif not stem:
        raise DialConfigError("Note 2 '.dialstring' needs an operator: no operator is signed on.")
    else:
        first = name
    return [first] if first.lower() == GLOBAL_FILE else [first, GLOBAL_FILE]


def find_dialstring_file(note2: str, operator_id: str, config_dir: Path) -> Path:
    """The first existing candidate in ``<config_dir>/dialstrings``; DialConfigError if none."""
    folder = Path(config_dir) / DIALSTRINGS_FOLDER
    candidates = dialstring_candidates(note2, operator_id)
    present: dict[str, Path] = {}
    if folder.is_dir():
        present = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name in candidates:
        exact = folder / name
        if exact.is_file():
            return exact
        if name.lower() in present:
            return present[name.lower()]
    raise DialConfigError(
        f"No dialstring file for Note 2 {note2.strip()!r}: looked for "
        f"{' then '.join(candidates)} in {folder}.")


def read_dialstring(path: Path) -> str:
    """The URL template: the file's first non-blank line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DialConfigError(f"Cannot read dialstring file {path}: {exc}.") from None
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    raise DialConfigError(f"Dialstring file {path} is empty: it must hold the dialer's URL.")


@dataclass(frozen=True)
class FilledUrl:
    url: str
    host: str
    masked_url: str  # the same URL with the password shown as ****


def fill_dialstring(template: str, phone: str, note1: str, *, source: str = "") -> FilledUrl:
    """Substitute @phone, @user, @pass and check the result is an http(s) URL with a host."""
    user, password = split_note1(note1)
    used = {m.group(1).lower() for m in _TOKEN.finditer(template)}
    where = f" (dialstring {source})" if source else ""
    if "user" in used and not user:
        raise DialConfigError(f"The dialstring uses @user but Note 1 is empty{where}: "
                              "enter user&password in Note 1.")
    encoded_pass = urllib.parse.quote(password, safe=_PASS_SAFE)
    values = {"phone": urllib.parse.quote(phone, safe="+-.()"), "user": user,
              "pass": encoded_pass}
    url = _TOKEN.sub(lambda m: values[m.group(1).lower()], template)
    masked = dict(values, **{"pass": "****" if password else ""})
    masked_url = _TOKEN.sub(lambda m: masked[m.group(1).lower()], template)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise DialConfigError(f"The dialstring must be an http:// or https:// URL{where}.")
    if not parts.hostname:
        raise DialConfigError(f"The dialstring URL has no host{where}: check Note 1 and the file.")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise DialConfigError(f"The dialstring URL has a bad port{where}: "
                              f"{parts.netloc.rpartition('@')[2]!r}.") from None
    return FilledUrl(url, parts.netloc.rpartition("@")[2], masked_url)


def call_dial_url(url: str, timeout: float) -> tuple[bool, str]:
    """GET ``url`` once; (ok, one-line message naming the host and the reason).  Blocks."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    request = urllib.request.Request(_without_userinfo(parts), method="GET")
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        token = f"{user}:{urllib.parse.unquote(parts.password or '')}"
        request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    handlers = [urllib.request.ProxyHandler({})] if _is_local(parts.hostname or "") else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(_MAX_BODY)
            return True, f"Dialer at {host} accepted the call (HTTP {response.status})."
    except urllib.error.HTTPError as exc:
        return False, f"Dialer at {host} refused the call: HTTP {exc.code} {exc.reason}."
    except urllib.error.URLError as exc:
        return False, f"Dialer at {host} could not be reached: {_reason(exc.reason, timeout)}."
    except (TimeoutError, socket.timeout):
        return False, f"Dialer at {host} did not answer within {timeout:g} s (timed out)."
    except OSError as exc:
        return False, f"Dialer at {host} could not be reached: {_reason(exc, timeout)}."


def _reason(reason: object, timeout: float) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(reason, socket.gaierror):
        return "unknown host name"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def _without_userinfo(parts: urllib.parse.SplitResult) -> str:
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _is_local(hostname: str) -> bool:
    if hostname.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local
