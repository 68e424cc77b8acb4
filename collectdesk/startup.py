"""Collect!-style start-up flags, parsed into one :class:`StartupSettings`.

CollectDesk accepts the command-line flags of the Collect! "Startup Automation" table
(``collectdesk /iUser1 /ppassword1 /m /q /dbmasterdb``) and POSIX long options beside
them (``collectdesk --user User1 --password password1 --multiple --db masterdb``).
Both spellings, the parser and the ``/?`` help text all come from one table,
:data:`FLAGS`, so a flag cannot be accepted without being documented or documented
without being accepted.

Where each flag takes effect
    This stage acts on ``/db``, ``/i`` with ``/p`` (direct sign-on), ``/m``, ``/min``
    and ``/s``, in :func:`collectdesk.ui.app.run_program`.  Every other flag is
    parsed, validated and stored here so that later capabilities (web host, web
    dialer, scheduler, timed exit, fonts, ...) read it from the same settings object
    instead of re-reading ``sys.argv``.

Matching rules
    * Flag names ignore case, as on Windows where the seed writes both ``/W2`` and
      ``/w2``; the value after a flag keeps its case (user IDs, passwords, paths).
    * The longest known prefix wins, so ``/dl`` is "disable locale", not ``/d``
      followed by junk, and ``/sch:x.sch`` is never ``/s``.
    * Between equally long prefixes the argument's shape decides: ``/s`` skips the
      splash screen, ``/s80`` sets web port 80.
    * A value follows its flag with no space (``/T1:30``); a long option takes it
      after a space or ``=`` (``--quit-at 1:30``); optional values only with ``=``.
    * A repeated flag: the last one wins.

Decisions where the seed is silent or contradicts itself
    * ``/x{mm}``: the table says "terminate after {mm} minutes", the example says
      "after 30 minutes of inactivity"; the example is the more specific text, so
      the minutes count idle time.
    * ``/W2ss`` and ``/W2b`` are variants of ``/W2`` and imply it; ``/W3`` on its
      own runs the web host (the seed's example ``/S80 /W3 /y443 /whl`` has no
      ``/W1``), see :attr:`StartupSettings.runs_web_host`.
    * ``/S{nn}`` applies to the desktop program too: the seed's own web dialer
      examples (``/s80 /w2``) use it there.
    * ``/c`` alone means the default layout file ``uidefault.ini``.
    * Values are checked: ports 1-65535, font size 6-72 pt, minutes at least 1,
      times 00:00-23:59, and text flags (``/db``, ``/i``, ``/p`` ...) need a value.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from enum import Enum
from typing import Final


class StartupError(ValueError):
    """A flag the program cannot accept; the message is one line naming the flag."""


class WebSecurity(Enum):
    """How the web host protects its connections; the value is the help wording."""

    HTTP = "plain HTTP, no encryption"
    PROXY_TLS = "HTTPS, encryption done by a third-party proxy"
    TLS_1_2 = "HTTPS with built-in TLS 1.2, the newest protocol"
    SSL_2_0 = "SSL 2.0"
    SSL_2_3 = "SSL 2.3"
    TLS_1_0 = "TLS 1.0"
    DTLS_1_0 = "DTLS 1.0"
    TLS_1_1 = "TLS 1.1"
    SSL_3_0 = "SSL 3.0"


#: The digit {n} of /W1ss{n} and /Wt1ss{n}; the seed gives 0 the same protocol as no digit.
TLS_LEVELS: Final[dict[int, WebSecurity]] = {
    0: WebSecurity.TLS_1_2,
    1: WebSecurity.SSL_2_0,
    2: WebSecurity.SSL_2_3,
    3: WebSecurity.TLS_1_0,
    4: WebSecurity.DTLS_1_0,
    5: WebSecurity.TLS_1_1,
    6: WebSecurity.SSL_3_0,
}

DEFAULT_FLEX_SCREEN_INI: Final = "uidefault.ini"


@dataclass(frozen=True)
class WebHostMode:
    """Web host mode chosen by /W1... or /Wt1...."""

    security: WebSecurity
    test_mode: bool = False  # menus stay enabled so pages can be tried out


@dataclass(frozen=True)
class StartupSettings:
    """Everything the command line asked for; defaults mean "flag not given"."""

    macro_file: str | None = None  # /a
    beep_off: bool = False  # /b
    flex_screen_ini: str | None = None  # /c
    calc_log: bool = False  # /calclog
    convert_legacy_addresses: bool = False  # /claddress
    internal_checks: bool = False  # /d
    database: str | None = None  # /db
    disable_locale: bool = False  # /dl
    error_beep_off: bool = False  # /e
    encrypt_connection: bool = False  # /encrypt
    font_size: int | None = None  # /f
    bold_font: bool = False  # /fbold
    legacy_font: bool = False  # /flegacy
    extract_blob_images: bool = False  # /f_ExtractBlobImages
    progress_graph_off: bool = False  # /h
    user_id: str | None = None  # /i
    config_file: str | None = None  # /ini:
    multiple_instances: bool = False  # /m
    minimized: bool = False  # /min
    keep_network_name: bool = False  # /n
    # Kept out of repr so that logging the settings never writes the password.
    password: str | None = field(default=None, repr=False)  # /p
    no_exit: bool = False  # /q
    skip_splash: bool = False  # /s
    scheduler_file: str | None = None  # /sch:
    smart_paging_off: bool = False  # /s_disablesmartpaging
    terminate_at: time | None = None  # /T
    verbose: bool = False  # /v
    terminate_after_minutes: int | None = None  # /x, idle minutes
    dialer_link: bool = False  # /z
    show_help: bool = False  # /?
    web_host: WebHostMode | None = None  # /W1..., /Wt1...
    web_dialer: bool = False  # /W2, implied by /W2ss and /W2b
    web_dialer_tls: bool = False  # /W2ss
    web_dialer_background: bool = False  # /W2b
    web_host_skip_password: bool = False  # /W3
    web_packet_log: bool = False  # /whl
    dynamic_reports_off: bool = False  # /wh_ddrg
    web_port: int | None = None  # /S
    secure_port: int | None = None  # /y

    @property
    def signs_on_directly(self) -> bool:
        """Both /i and /p given: the Welcome screen is skipped."""
        return self.user_id is not None and self.password is not None

    @property
    def runs_web_host(self) -> bool:
        return self.web_host is not None or self.web_host_skip_password


class ArgKind(Enum):
    """What may follow a flag's prefix."""

    NONE = "nothing"  # /m
    TEXT = "text"  # /dbmasterdb; required, case kept
    OPTIONAL_TEXT = "optional text"  # /c or /cmyui.ini
    NUMBER = "whole number"  # /f16, /x30, /S80
    TIME = "time of day"  # /T1:30
    TLS_LEVEL = "TLS level"  # /W1ss or /W1ss3


# A long option may omit these values entirely, so they are only taken after "=".
_OPTIONAL_VALUE: Final = frozenset({ArgKind.OPTIONAL_TEXT, ArgKind.TLS_LEVEL})


@dataclass(frozen=True)
class FlagSpec:
    """One row of the flag table."""

    spelling: str  # as shown in the help; the text before "{" is what is matched
    kind: ArgKind
    field_name: str  # the StartupSettings attribute it fills
    description: str
    program: bool = True  # applies to the desktop program
    web_host: bool = False  # applies in web host mode
    long: str = ""  # POSIX spelling as shown: "--db URL", "--flex-screen[=INI]"
    value: object = True  # stored by NONE; the default of OPTIONAL_TEXT and TLS_LEVEL
    bounds: tuple[int, int | None] = (1, None)  # NUMBER only
    implies: tuple[str, ...] = ()  # further bool fields this flag switches on

    @property
    def prefix(self) -> str:
        return self.spelling.split("{", 1)[0]

    @property
    def long_name(self) -> str:
        match = re.match(r"--[a-z0-9-]+", self.long)
        return match.group(0) if match else ""


def _web_host(security: WebSecurity, *, test: bool = False) -> WebHostMode:
    return WebHostMode(security, test_mode=test)


_N, _TEXT, _OPT, _NUM, _TIME, _TLS = (
    ArgKind.NONE, ArgKind.TEXT, ArgKind.OPTIONAL_TEXT, ArgKind.NUMBER, ArgKind.TIME,
    ArgKind.TLS_LEVEL,
)

#: The Collect! flag table (seed 003, "Startup Automation"), in the seed's order.
FLAGS: Final[tuple[FlagSpec, ...]] = (
    FlagSpec("/a{file}", _TEXT, "macro_file",
             "Run the macro file {file} once the program has started.", long="--macro FILE"),
    FlagSpec("/b", _N, "beep_off", "No beeps.", long="--no-beep"),
    FlagSpec("/c{filename}", _OPT, "flex_screen_ini",
             "Size the screen to the monitor (flex screen) using {filename}; "
             f"without a name, {DEFAULT_FLEX_SCREEN_INI}.",
             long="--flex-screen[=INI]", value=DEFAULT_FLEX_SCREEN_INI),
    FlagSpec("/calclog", _N, "calc_log",
             "Write every account recalculation to calclog.txt (tab-separated) to "
             "troubleshoot financial calculations.", web_host=True, long="--calclog"),
    FlagSpec("/claddress", _N, "convert_legacy_addresses",
             "Split legacy one-line City/State/Zip addresses into their own fields and "
             "update reports that use @cl.a3. User level 99 only.",
             long="--convert-addresses"),
    FlagSpec("/d", _N, "internal_checks", "Run extra internal consistency checks.",
             long="--internal-checks"),
    FlagSpec("/db{database}", _TEXT, "database",
             "Open this database: demodb, masterdb, a SQLite file or a database URL. "
             "The Welcome screen no longer offers another database.",
             web_host=True, long="--db URL"),
    FlagSpec("/dl", _N, "disable_locale",
             "Ignore the system locale when changing letter case during imports.",
             long="--no-locale"),
    FlagSpec("/e", _N, "error_beep_off", "No beep on errors.", long="--no-error-beep"),
    FlagSpec("/encrypt", _N, "encrypt_connection",
             "Encrypt the connection to the database server.", long="--encrypt"),
    FlagSpec("/f{nn}", _NUM, "font_size", "Display font size in points (6-72).",
             web_host=True, long="--font-size PT", bounds=(6, 72)),
    FlagSpec("/fbold", _N, "bold_font", "Use a bold display font.", web_host=True,
             long="--bold-font"),
    FlagSpec("/flegacy", _N, "legacy_font", "Use the legacy display font.", web_host=True,
             long="--legacy-font"),
    FlagSpec("/f_ExtractBlobImages", _N, "extract_blob_images",
             "Move images embedded in old contact records into styles/metaref "
             "(only for data from Collect! 11.5 or older).", long="--extract-blob-images"),
    FlagSpec("/h", _N, "progress_graph_off", "Hide the progress bar in the status bar.",
             web_host=True, long="--no-progress-graph"),
    FlagSpec("/i{ID}", _TEXT, "user_id",
             "Sign on as this user ID; with /p the Welcome screen is skipped.",
             web_host=True, long="--user ID"),
    FlagSpec("/ini:{filename.ini}", _TEXT, "config_file",
             "Read program settings from this file instead of the default one.",
             long="--config FILE"),
    FlagSpec("/m", _N, "multiple_instances",
             "Allow more than one copy of the program to run at a time.", web_host=True,
             long="--multiple"),
    FlagSpec("/min", _N, "minimized", "Start with the main window minimized.",
             web_host=True, long="--minimized"),
    FlagSpec("/n", _N, "keep_network_name",
             "Leave this workstation's network name registered on exit.",
             long="--keep-network-name"),
    FlagSpec("/p{pwd}", _TEXT, "password",
             "Password for /i; with both, the Welcome screen is skipped.", web_host=True,
             long="--password PWD"),
    FlagSpec("/q", _N, "no_exit",
             "Users cannot exit the program, except user levels 1 and 99 (kiosk).",
             long="--no-exit"),
    FlagSpec("/s", _N, "skip_splash", "Skip the splash screen.", web_host=True,
             long="--skip-splash"),
    FlagSpec("/sch:{filename.sch}", _TEXT, "scheduler_file",
             "Load this scheduler task file at start; it overrides the default task "
             "file in Scheduler Settings.", long="--scheduler FILE"),
    FlagSpec("/s_disablesmartpaging", _N, "smart_paging_off",
             "Turn off smart paging (fewer rows per page when the server is slow); "
             "only for use over a wide-area network.", long="--no-smart-paging"),
    FlagSpec("/T{hh:mm}", _TIME, "terminate_at",
             "Exit at this time of day, 24-hour clock (/T1:30 is 01:30), e.g. before "
             "backups. The database server keeps running.", web_host=True,
             long="--quit-at HH:MM"),
    FlagSpec("/v", _N, "verbose", "Verbose: show more progress messages.", long="--verbose"),
    FlagSpec("/x{mm}", _NUM, "terminate_after_minutes",
             "Exit after {mm} minutes without activity. Only this copy of the program "
             "exits.", web_host=True, long="--quit-after MIN"),
    FlagSpec("/z", _N, "dialer_link",
             "Open the local link used by document merge and the predictive dialer.",
             long="--dialer-link"),
    FlagSpec("/?", _N, "show_help", "Show this list and exit.", long="--help-flags"),
    FlagSpec("/W1", _N, "web_host",
             "Run as web host over plain HTTP; all menus are disabled.",
             program=False, web_host=True, long="--web-host",
             value=_web_host(WebSecurity.HTTP)),
    FlagSpec("/W1s", _N, "web_host",
             "Web host over HTTPS, with a third-party proxy doing the encryption.",
             program=False, web_host=True, long="--web-host-proxy-tls",
             value=_web_host(WebSecurity.PROXY_TLS)),
    FlagSpec("/W1ss{n}", _TLS, "web_host",
             "Web host over HTTPS with built-in encryption; {n} picks the protocol "
             "(see the TLS levels below), none means the newest.",
             program=False, web_host=True, long="--web-host-tls[=N]",
             value=_web_host(WebSecurity.TLS_1_2)),
    FlagSpec("/Wt1", _N, "web_host",
             "Web host in test mode: plain HTTP, all menus enabled.",
             program=False, web_host=True, long="--web-host-test",
             value=_web_host(WebSecurity.HTTP, test=True)),
    FlagSpec("/Wt1s", _N, "web_host", "Web host test mode, HTTPS through a proxy.",
             program=False, web_host=True, long="--web-host-test-proxy-tls",
             value=_web_host(WebSecurity.PROXY_TLS, test=True)),
    FlagSpec("/Wt1ss{n}", _TLS, "web_host",
             "Web host test mode, HTTPS with built-in encryption level {n}.",
             program=False, web_host=True, long="--web-host-test-tls[=N]",
             value=_web_host(WebSecurity.TLS_1_2, test=True)),
    FlagSpec("/W2", _N, "web_dialer",
             "Web dialer: take HTTP requests from a VoIP or IP-PBX dialer and open the "
             "matching account (port from /S).", long="--web-dialer"),
    FlagSpec("/W2ss", _N, "web_dialer_tls",
             "Web dialer over HTTPS; needs a TLS certificate.", long="--web-dialer-tls",
             implies=("web_dialer",)),
    FlagSpec("/W2b", _N, "web_dialer_background",
             "Web dialer always on in the background, so calls arrive while working "
             "the WIP list.", long="--web-dialer-background", implies=("web_dialer",)),
    FlagSpec("/W3", _N, "web_host_skip_password",
             "Web host skips password sign-on, for real-time XML updates; limit it to "
             "trusted hosts.", program=False, web_host=True, long="--web-host-trusted"),
    FlagSpec("/whl", _N, "web_packet_log",
             "Log web host traffic to webhostpacketlog.txt and keep the XML data pump's "
             "CSV files. For troubleshooting: the log grows without limit.",
             program=False, web_host=True, long="--web-packet-log"),
    FlagSpec("/wh_ddrg", _N, "dynamic_reports_off",
             "Web host writes each report page to an HTML file before sending it, "
             "instead of streaming it.", program=False, web_host=True,
             long="--no-dynamic-reports"),
    FlagSpec("/S{nn}", _NUM, "web_port", "HTTP port of the web host or web dialer.",
             web_host=True, long="--port N", bounds=(1, 65535)),
    FlagSpec("/y{nn}", _NUM, "secure_port", "HTTPS port of the web host.",
             program=False, web_host=True, long="--secure-port N", bounds=(1, 65535)),
)

#: Command lines shown under the table; the tests parse every one of them.
EXAMPLES: Final[tuple[tuple[str, str], ...]] = (
    ("/iUser1 /ppassword1 /m /q /dbmasterdb",
     "Sign User1 straight into masterdb; more than one copy may run; the user cannot exit."),
    ("--user User1 --password password1 --multiple --no-exit --db masterdb",
     "The same with long options."),
    ("/S80 /W1ss /y443", "Web host: HTTP on port 80, HTTPS with built-in TLS on port 443."),
    ("/W1ss2 /S80 /y443 /m", "Web host with TLS level 2; another copy may run beside it."),
    ("/S80 /W3 /y443 /whl", "Web host for trusted XML updates, logging its traffic."),
    ("/T1:30", "Exit at 01:30; only this copy exits, the database server keeps running."),
    ("/x30", "Exit after 30 minutes without activity."),
    ("/dl", "Ignore the system locale."),
    ("/sch:demo.sch", "Load the scheduler task file demo.sch (saved beforehand)."),
    ("/c", f"Flex screen with the default {DEFAULT_FLEX_SCREEN_INI}."),
    ("/cmyui.ini", "Flex screen with the settings in myui.ini."),
    ("/f16", "16-point display font."),
    ("/s80 /w2", "Web dialer on port 80."),
    ("/s80 /w2ss", "Secure web dialer on port 80."),
    ("/s80 /w2b", "Web dialer on port 80, always on in the background."),
)


# --- parsing -------------------------------------------------------------------------------

_HELP_HINT: Final = "collectdesk /? lists the flags"
_BY_LONG: Final[dict[str, FlagSpec]] = {spec.long_name: spec for spec in FLAGS if spec.long}


def parse_flags(argv: list[str]) -> StartupSettings:
    """Read Collect! flags and long options; raise :class:`StartupError` on the first bad one."""
    values: dict[str, object] = {}
    args = iter(argv)
    for token in args:
        if token.startswith("--"):
            spec, value = _parse_long_option(token, args)
        elif token.startswith("/"):
            spec, value = _parse_collect_flag(token)
        else:
            raise StartupError(
                f"unexpected argument '{token}': flags start with / or -- ({_HELP_HINT})")
        values[spec.field_name] = value
        values.update(dict.fromkeys(spec.implies, True))
    return dataclasses.replace(StartupSettings(), **values)


def _parse_collect_flag(token: str) -> tuple[FlagSpec, object]:
    candidates = _longest_prefix_matches(token)
    rest = token[len(candidates[0].prefix):] if candidates else ""
    if not rest:
        for spec in candidates:
            if spec.kind is ArgKind.NONE:
                return spec, spec.value
    takes_value = [spec for spec in candidates if spec.kind is not ArgKind.NONE]
    if not takes_value:
        raise StartupError(f"unknown flag '{token}' ({_HELP_HINT})")
    spec = takes_value[0]
    try:
        return spec, _convert(spec, rest)
    except ValueError as bad:
        raise StartupError(f"bad flag '{token}': {bad} (usage: {spec.spelling})") from None


def _longest_prefix_matches(token: str) -> list[FlagSpec]:
    lowered = token.lower()
    matches = [spec for spec in FLAGS if lowered.startswith(spec.prefix.lower())]
    if not matches:
        return []
    longest = max(len(spec.prefix) for spec in matches)
    return [spec for spec in matches if len(spec.prefix) == longest]


def _parse_long_option(token: str, following: Iterator[str]) -> tuple[FlagSpec, object]:
    name, has_value, text = token.partition("=")
    spec = _BY_LONG.get(name)
    if spec is None:
        raise StartupError(f"unknown option '{name}' ({_HELP_HINT})")
    if spec.kind is ArgKind.NONE:
        if has_value:
            raise StartupError(f"option '{name}' takes no value")
        return spec, spec.value
    if not has_value and spec.kind not in _OPTIONAL_VALUE:
        next_arg = next(following, None)
        if next_arg is None:
            raise StartupError(f"option '{name}' needs a value (usage: {spec.long})")
        text, token = next_arg, f"{name} {next_arg}"
    try:
        return spec, _convert(spec, text)
    except ValueError as bad:
        raise StartupError(f"bad option '{token}': {bad} (usage: {spec.long})") from None


def _convert(spec: FlagSpec, text: str) -> object:
    """The value of ``text`` for ``spec``; ValueError says what was expected."""
    match spec.kind:
        case ArgKind.TEXT:
            if not text:
                raise ValueError("missing value")
            return text
        case ArgKind.OPTIONAL_TEXT:
            return text or spec.value
        case ArgKind.NUMBER:
            return _whole_number(text, spec.bounds)
        case ArgKind.TIME:
            return _time_of_day(text)
        case ArgKind.TLS_LEVEL:
            return _tls_level(spec.value, text)
    raise AssertionError(f"{spec.spelling} takes no value")


def _whole_number(text: str, bounds: tuple[int, int | None]) -> int:
    low, high = bounds
    expected = f"a whole number from {low} to {high}" if high else f"a whole number, at least {low}"
    # isdecimal alone would accept non-ASCII digits and int() would accept "+5" or " 5".
    if not (text.isascii() and text.isdecimal()):
        raise ValueError(f"expected {expected}")
    number = int(text)
    if number < low or (high is not None and number > high):
        raise ValueError(f"expected {expected}")
    return number


def _time_of_day(text: str) -> time:
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("expected a time of day as hh:mm on a 24-hour clock, e.g. 1:30 or 23:05")
    return time(int(match[1]), int(match[2]))


def _tls_level(template: object, text: str) -> WebHostMode:
    assert isinstance(template, WebHostMode)
    if not text:
        return template
    if text not in {str(level) for level in TLS_LEVELS}:
        raise ValueError(f"expected a TLS level from {min(TLS_LEVELS)} to {max(TLS_LEVELS)}")
    return dataclasses.replace(template, security=TLS_LEVELS[int(text)])


# --- help ----------------------------------------------------------------------------------

_WIDTH: Final = 100
_INTRO: Final = """\
CollectDesk start-up flags

Usage: collectdesk [flag ...]
       collectdesk COMMAND [option ...]   headless commands, see collectdesk --help

Flag names ignore case (/W2 is /w2) and a value follows its flag without a space
(/dbmasterdb, /T1:30). Long options take their value after a space or '='; optional
values only after '='. In a POSIX shell quote '/?' or use --help-flags.
Applies: program = the desktop program, web host = web host mode, both = either."""


def usage_text() -> str:
    """The flag table with explanations, TLS levels and examples, as aligned columns."""
    return "\n\n".join((_INTRO, _flag_table(), _tls_table(), _examples()))


def _applies(spec: FlagSpec) -> str:
    if spec.program and spec.web_host:
        return "both"
    return "program" if spec.program else "web host"


def _flag_table() -> str:
    name_width = max(len(text) for spec in FLAGS for text in (spec.spelling, "  " + spec.long))
    applies_width = len("web host")
    indent = 2 + name_width + 2 + applies_width + 2
    lines = [f"  {'Flag / long option':<{name_width}}  {'Applies':<{applies_width}}  What it does"]
    for spec in FLAGS:
        described = textwrap.wrap(spec.description, _WIDTH - indent, break_on_hyphens=False)
        names = [spec.spelling] + (["  " + spec.long] if spec.long else [])
        for row in range(max(len(names), len(described))):
            name = names[row] if row < len(names) else ""
            applies = _applies(spec) if row == 0 else ""
            text = described[row] if row < len(described) else ""
            lines.append(f"  {name:<{name_width}}  {applies:<{applies_width}}  {text}".rstrip())
    return "\n".join(lines)


def _tls_table() -> str:
    spellings = {level: f"/W1ss{level}" for level in TLS_LEVELS}
    spellings[0] = "/W1ss, /W1ss0"
    width = max(len(text) for text in spellings.values())
    lines = ["TLS levels for /W1ss{n} (the same digits work with /Wt1ss{n})"]
    lines += [f"  {spellings[level]:<{width}}  {security.value}"
              for level, security in TLS_LEVELS.items()]
    return "\n".join(lines)


def _examples() -> str:
    lines = ["Examples"]
    for command, meaning in EXAMPLES:
        lines.append(f"  collectdesk {command}")
        lines += textwrap.wrap(meaning, _WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6,
                               break_on_hyphens=False)
    return "\n".join(lines)
