"""UDP redirect dialing (seed 002 "UDP Redirect Syntax", seed 003 "UDP Protocol Dialing").

Note 2 names the dialer in one of the two spellings the seeds show::

    UDP:/192.168.2.122:1544:452            (every example)
    UDP/:192.168.2.122:1544;452            (the syntax line)
    UDP:/1.1.1.1:8080:123#authcode         (with the authorization code)

``UDP`` is case-insensitive, the separator between port and extension may be
``:`` or ``;`` in either spelling.  The host is an IPv4 address or a host name
(IPv6 literals would clash with the ``:`` separators and are not accepted).

One datagram ``extension,number[,authcode]`` (ASCII) is sent; the number is
digits only.  The authorization code is the last 4 digits of the client number
followed by the last 8 of the debtor file number, zero-padded, always 12 digits,
and left out when no account (client *and* file number) is in context.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

from .dial_errors import DialConfigError

_PREFIX = re.compile(r"^udp(:/|/:)", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
AUTHCODE_OPTION = "authcode"


@dataclass(frozen=True)
class UdpTarget:
    """Where and as whom the UDP dialer is told to dial."""

    host: str
    port: int
    extension: str
    with_authcode: bool = False

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def is_udp_note(note2: str) -> bool:
    return bool(_PREFIX.match(note2.strip()))


def parse_udp_note(note2: str) -> UdpTarget:
    """``UDP:/ip:port:ext[#authcode]`` or ``UDP/:ip:port;ext[#authcode]`` → UdpTarget.

    Raises DialConfigError naming what is wrong; nothing is ever sent for a
    string this function refuses.
    """
    text = note2.strip()
    shown = f"Note 2 {text!r}"
    match = _PREFIX.match(text)
    if not match:
        raise DialConfigError(f"{shown} does not start with UDP:/ or UDP/:.")
    rest = text[match.end():]
    rest, _, option = rest.partition("#")
    option = option.strip()
    if "#" in option or (option and option.lower() != AUTHCODE_OPTION):
        raise DialConfigError(f"{shown}: unknown option #{option}; only #authcode is allowed.")
    if "#" in note2 and not option:
        raise DialConfigError(f"{shown}: '#' must be followed by authcode.")
    host, sep, rest = rest.partition(":")
    if not sep:
        raise DialConfigError(
            f"{shown} has no port: expected UDP:/ipaddress:port:extension.")
    host = host.strip()
    if not host:
        raise DialConfigError(f"{shown} has no IP address: expected UDP:/ipaddress:port:extension.")
    if not _HOST.match(host):
        raise DialConfigError(f"{shown}: {host!r} is not an IPv4 address or host name.")
    port_text, sep, extension = _split_port(rest)
    if not sep:
        raise DialConfigError(
            f"{shown} is missing the port or the extension: "
            "expected UDP:/ipaddress:port:extension.")
    port_text = port_text.strip()
    if not port_text:
        raise DialConfigError(f"{shown} has no port: expected UDP:/ipaddress:port:extension.")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise DialConfigError(f"{shown}: port {port_text!r} is not a number from 1 to 65535.")
    extension = extension.strip()
    if not extension:
        raise DialConfigError(f"{shown} has no extension: expected UDP:/ipaddress:port:extension.")
    if any(ch in extension for ch in ",:;/ ") or not extension.isprintable():
        raise DialConfigError(
            f"{shown}: extension {extension!r} may not contain , : ; / or spaces.")
    return UdpTarget(host, int(port_text), extension, with_authcode=bool(option))


def _split_port(rest: str) -> tuple[str, str, str]:
    """Split ``port:ext`` or ``port;ext`` at the first separator of either kind."""
    for i, ch in enumerate(rest):
        if ch in ":;":
            return rest[:i], ch, rest[i + 1:]
    return rest, "", ""


def authorization_code(
    client_number: int | str | None, file_number: int | str | None
) -> str | None:
    """Last 4 digits of the client number + last 8 of the file number, zero-padded (12 digits).

    None when either number is missing: the seed ignores #authcode "where the
    Client Number and/or Debtor Number are not applicable".
    """
    client = "".join(ch for ch in str(client_number if client_number is not None else "")
                     if ch.isdigit())
    file = "".join(ch for ch in str(file_number if file_number is not None else "")
                   if ch.isdigit())
    if not client or not file:
        return None
    return client[-4:].zfill(4) + file[-8:].zfill(8)


def udp_payload(target: UdpTarget, digits: str, authcode: str | None) -> str:
    """The datagram text: ``extension,number`` plus ``,authcode`` when asked for and known."""
    parts = [target.extension, digits]
    if target.with_authcode and authcode:
        parts.append(authcode)
    return ",".join(parts)


def send_datagram(host: str, port: int, payload: str) -> None:
    """Send one datagram; OSError (no route, unknown host …) propagates to the caller."""
    family = socket.AF_INET
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM)
    address = infos[0][4]
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.sendto(payload.encode("ascii"), address)
