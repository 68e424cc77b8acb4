"""Collect! start-up flags (seed 003 "Startup Automation") parse into one StartupSettings."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from collectdesk.startup import (
    EXAMPLES,
    FLAGS,
    ArgKind,
    FlagSpec,
    StartupError,
    StartupSettings,
    WebHostMode,
    WebSecurity,
    parse_flags,
    usage_text,
)

ROOT = Path(__file__).resolve().parents[1]

HTTP, PROXY, TLS12 = WebSecurity.HTTP, WebSecurity.PROXY_TLS, WebSecurity.TLS_1_2

# Every row of the seed's table, as the seed spells it, with the field it fills.
SEED_FLAGS: list[tuple[str, str, object]] = [
    ("/astartup.mac", "macro_file", "startup.mac"),
    ("/b", "beep_off", True),
    ("/c", "flex_screen_ini", "uidefault.ini"),
    ("/cmyui.ini", "flex_screen_ini", "myui.ini"),
    ("/calclog", "calc_log", True),
    ("/claddress", "convert_legacy_addresses", True),
    ("/d", "internal_checks", True),
    ("/dbmasterdb", "database", "masterdb"),
    ("/dl", "disable_locale", True),
    ("/e", "error_beep_off", True),
    ("/encrypt", "encrypt_connection", True),
    ("/f16", "font_size", 16),
    ("/fbold", "bold_font", True),
    ("/flegacy", "legacy_font", True),
    ("/f_ExtractBlobImages", "extract_blob_images", True),
    ("/h", "progress_graph_off", True),
    ("/iUser1", "user_id", "User1"),
    ("/ini:custom.ini", "config_file", "custom.ini"),
    ("/m", "multiple_instances", True),
    ("/min", "minimized", True),
    ("/n", "keep_network_name", True),
    ("/pSecret1", "password", "Secret1"),
    ("/q", "no_exit", True),
    ("/s", "skip_splash", True),
    ("/sch:demo.sch", "scheduler_file", "demo.sch"),
    ("/s_disablesmartpaging", "smart_paging_off", True),
    ("/T1:30", "terminate_at", time(1, 30)),
    ("/v", "verbose", True),
    ("/x30", "terminate_after_minutes", 30),
    ("/z", "dialer_link", True),
    ("/?", "show_help", True),
    ("/W1", "web_host", WebHostMode(HTTP)),
    ("/W1s", "web_host", WebHostMode(PROXY)),
    ("/W1ss", "web_host", WebHostMode(TLS12)),
    ("/W1ss0", "web_host", WebHostMode(TLS12)),
    ("/W1ss1", "web_host", WebHostMode(WebSecurity.SSL_2_0)),
    ("/W1ss2", "web_host", WebHostMode(WebSecurity.SSL_2_3)),
    ("/W1ss3", "web_host", WebHostMode(WebSecurity.TLS_1_0)),
    ("/W1ss4", "web_host", WebHostMode(WebSecurity.DTLS_1_0)),
    ("/W1ss5", "web_host", WebHostMode(WebSecurity.TLS_1_1)),
    ("/W1ss6", "web_host", WebHostMode(WebSecurity.SSL_3_0)),
    ("/Wt1", "web_host", WebHostMode(HTTP, test_mode=True)),
    ("/Wt1s", "web_host", WebHostMode(PROXY, test_mode=True)),
    ("/Wt1ss", "web_host", WebHostMode(TLS12, test_mode=True)),
    ("/Wt1ss3", "web_host", WebHostMode(WebSecurity.TLS_1_0, test_mode=True)),
    ("/W2", "web_dialer", True),
    ("/W2ss", "web_dialer_tls", True),
    ("/W2b", "web_dialer_background", True),
    ("/W3", "web_host_skip_password", True),
    ("/whl", "web_packet_log", True),
    ("/wh_ddrg", "dynamic_reports_off", True),
    ("/S8080", "web_port", 8080),
    ("/y443", "secure_port", 443),
]

# The spellings of the seed's table and of its W1ss rows, all of which the help must show.
SEED_SPELLINGS = [
    "/a{file}", "/b", "/c{filename}", "/calclog", "/claddress", "/d", "/db{database}", "/dl",
    "/e", "/encrypt", "/f{nn}", "/fbold", "/flegacy", "/f_ExtractBlobImages", "/h", "/i{ID}",
    "/ini:{filename.ini}", "/m", "/min", "/n", "/p{pwd}", "/q", "/s", "/sch:{filename.sch}",
    "/s_disablesmartpaging", "/T{hh:mm}", "/v", "/x{mm}", "/z", "/?", "/W1", "/W1s", "/W1ss",
    "/W1ss0", "/W1ss1", "/W1ss2", "/W1ss3", "/W1ss4", "/W1ss5", "/W1ss6", "/Wt1", "/Wt1s",
    "/Wt1ss", "/Wt1ss{n}", "/W2", "/W2ss", "/W2b", "/W3", "/whl", "/wh_ddrg", "/S{nn}", "/y{nn}",
]


def only(**changes: object) -> StartupSettings:
    return dataclasses.replace(StartupSettings(), **changes)


def _spec_for(token: str, field: str) -> FlagSpec:
    matching = [spec for spec in FLAGS
                if spec.field_name == field and token.lower().startswith(spec.prefix.lower())]
    return max(matching, key=lambda spec: len(spec.prefix))


@pytest.mark.parametrize(("token", "field", "expected"), SEED_FLAGS)
def test_each_seed_flag_fills_its_field(token: str, field: str, expected: object) -> None:
    assert getattr(parse_flags([token]), field) == expected


@pytest.mark.parametrize(("token", "field", "expected"), SEED_FLAGS)
def test_flag_names_ignore_case_but_values_keep_theirs(token: str, field: str,
                                                       expected: object) -> None:
    length = len(_spec_for(token, field).prefix)
    swapped = token[:length].swapcase() + token[length:]
    assert getattr(parse_flags([swapped]), field) == expected


def test_the_table_and_the_settings_agree() -> None:
    settings_fields = {f.name for f in dataclasses.fields(StartupSettings)}
    table_fields = {spec.field_name for spec in FLAGS}
    implied = {name for spec in FLAGS for name in spec.implies}
    assert table_fields <= settings_fields
    assert implied <= settings_fields
    assert settings_fields == table_fields, "every setting comes from a flag"
    assert {field for _, field, _ in SEED_FLAGS} == table_fields, "every field is tested"


def test_equal_prefixes_are_told_apart_by_the_argument_shape() -> None:
    by_prefix: dict[str, list[ArgKind]] = {}
    for spec in FLAGS:
        by_prefix.setdefault(spec.prefix.lower(), []).append(spec.kind)
    for prefix, kinds in by_prefix.items():
        assert kinds.count(ArgKind.NONE) <= 1, prefix
        assert len(kinds) - kinds.count(ArgKind.NONE) <= 1, prefix


@pytest.mark.parametrize(("argv", "expected"), [
    ("/iUser1 /ppassword1 /m /q /dbmasterdb",
     only(user_id="User1", password="password1", multiple_instances=True, no_exit=True,
          database="masterdb")),
    ("/S80 /W1ss /y443", only(web_port=80, web_host=WebHostMode(TLS12), secure_port=443)),
    ("/T1:30", only(terminate_at=time(1, 30))),
    ("/x30", only(terminate_after_minutes=30)),
    ("/dl", only(disable_locale=True)),
    ("/sch:demo.sch", only(scheduler_file="demo.sch")),
    ("/s80 /w2", only(web_port=80, web_dialer=True)),
    ("/s80 /w2ss", only(web_port=80, web_dialer=True, web_dialer_tls=True)),
    ("/s80 /w2b", only(web_port=80, web_dialer=True, web_dialer_background=True)),
    ("/S80 /W3 /y443 /whl",
     only(web_port=80, web_host_skip_password=True, secure_port=443, web_packet_log=True)),
    ("/W1ss2 /S80 /y443 /m", only(web_host=WebHostMode(WebSecurity.SSL_2_3), web_port=80,
                                  secure_port=443, multiple_instances=True)),
])
def test_seed_examples(argv: str, expected: StartupSettings) -> None:
    assert parse_flags(argv.split()) == expected


def test_direct_sign_on_needs_both_id_and_password() -> None:
    assert parse_flags(["/iUser1", "/ppassword1"]).signs_on_directly
    assert not parse_flags(["/iUser1"]).signs_on_directly


def test_w3_alone_runs_the_web_host() -> None:
    assert parse_flags(["/W3"]).runs_web_host
    assert parse_flags(["/Wt1"]).runs_web_host
    assert not parse_flags(["/W2"]).runs_web_host


def test_longest_prefix_wins() -> None:
    settings = parse_flags(["/dl", "/d", "/dbx", "/min", "/encrypt", "/calclog", "/s"])
    assert settings == only(disable_locale=True, internal_checks=True, database="x",
                            minimized=True, encrypt_connection=True, calc_log=True,
                            skip_splash=True)
    assert parse_flags(["/ini:a.ini", "/iAlice"]) == only(config_file="a.ini", user_id="Alice")


def test_last_repeated_flag_wins() -> None:
    assert parse_flags(["/dbdemodb", "/dbmasterdb"]).database == "masterdb"


def test_password_never_appears_in_repr() -> None:
    assert "Secret1" not in repr(parse_flags(["/iUser1", "/pSecret1"]))


@pytest.mark.parametrize(("argv", "expected"), [
    ("--db masterdb --user User1 --password password1",
     only(database="masterdb", user_id="User1", password="password1")),
    ("--db=masterdb --multiple --minimized --skip-splash",
     only(database="masterdb", multiple_instances=True, minimized=True, skip_splash=True)),
    ("--dialer-link --calclog --help-flags",
     only(dialer_link=True, calc_log=True, show_help=True)),
    ("--web-dialer-background --port 80", only(web_dialer=True, web_dialer_background=True,
                                               web_port=80)),
    ("--web-dialer --quit-at 23:05 --quit-after 15",
     only(web_dialer=True, terminate_at=time(23, 5), terminate_after_minutes=15)),
    ("--flex-screen", only(flex_screen_ini="uidefault.ini")),
    ("--flex-screen=myui.ini", only(flex_screen_ini="myui.ini")),
    ("--web-host-tls=3 --secure-port 443",
     only(web_host=WebHostMode(WebSecurity.TLS_1_0), secure_port=443)),
    ("--web-host-test-tls", only(web_host=WebHostMode(TLS12, test_mode=True))),
])
def test_long_options_fill_the_same_fields(argv: str, expected: StartupSettings) -> None:
    assert parse_flags(argv.split()) == expected


@pytest.mark.parametrize(("token", "field", "_expected"), SEED_FLAGS)
def test_every_flag_has_a_long_option_with_the_same_meaning(token: str, field: str,
                                                            _expected: object) -> None:
    spec = _spec_for(token, field)
    argument = token[len(spec.prefix):]
    long_argv = [f"{spec.long_name}={argument}" if argument else spec.long_name]
    assert parse_flags(long_argv) == parse_flags([token])


@pytest.mark.parametrize(("argv", "named"), [
    ("/bogus", "/bogus"),
    ("/Tnoon", "/Tnoon"),
    ("/T24:00", "/T24:00"),
    ("/T1:5", "/T1:5"),
    ("/T", "/T"),
    ("/xabc", "/xabc"),
    ("/x0", "/x0"),
    ("/Sabc", "/Sabc"),
    ("/S70000", "/S70000"),
    ("/y", "/y"),
    ("/f+5", "/f+5"),
    ("/f200", "/f200"),
    ("/db", "/db"),
    ("/ini:", "/ini:"),
    ("/W1ss7", "/W1ss7"),
    ("/W2s", "/W2s"),
    ("/calclogx", "/calclogx"),
    ("/multiple", "/multiple"),
    ("masterdb", "masterdb"),
    ("--nope", "--nope"),
    ("--port", "--port"),
    ("--port eighty", "--port eighty"),
    ("--multiple=yes", "--multiple"),
])
def test_bad_flags_raise_one_line_naming_the_flag(argv: str, named: str) -> None:
    with pytest.raises(StartupError) as raised:
        parse_flags(argv.split())
    message = str(raised.value)
    assert named in message
    assert "\n" not in message


def test_usage_text_shows_every_flag_and_example() -> None:
    text = usage_text()
    for spelling in SEED_SPELLINGS:
        assert spelling in text, spelling
    for spec in FLAGS:
        assert spec.spelling in text and spec.long in text
    for command, _ in EXAMPLES:
        assert f"collectdesk {command}" in text
    assert max(len(line) for line in text.splitlines()) <= 100


@pytest.mark.parametrize(("command", "_meaning"), EXAMPLES)
def test_every_example_in_the_help_parses(command: str, _meaning: str) -> None:
    parse_flags(command.split())


def test_no_flags_means_defaults() -> None:
    assert parse_flags([]) == StartupSettings()


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collectdesk", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_program_prints_the_flag_table_for_question_mark() -> None:
    result = _run("/?")
    assert result.returncode == 0, result.stderr
    for spelling in SEED_SPELLINGS:
        assert spelling in result.stdout


def test_program_rejects_an_unknown_flag_with_exit_code_2() -> None:
    result = _run("/bogus")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "/bogus" in lines[0]
