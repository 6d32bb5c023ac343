import pytest

from intake.config import ConfigError, load


def test_defaults_use_sqlite_and_local_folders(tmp_path):
    config = load(None, {"INTAKE_DATA_DIR": str(tmp_path)})
    assert config.ledger_url == f"sqlite:///{(tmp_path / 'ledger.sqlite').resolve()}"
    assert config.folder_path("inbox") == tmp_path / "inbox"
    assert not config.mail_enabled


def test_file_then_environment(tmp_path):
    path = tmp_path / "intake.toml"
    path.write_text(
        '[imap]\nhost = "imap.example.nl"\nuser = "zorginkoop.wlz"\npassword = "geheim"\n'
        '[smtp]\nfrom = "a@b.nl"\nport = 2525\n'
    )
    config = load(path, {"INTAKE_IMAP_PORT": "1993", "INTAKE_SMTP_PASSWORD": "s3cret"})
    assert config.imap.host == "imap.example.nl" and config.imap.port == 1993
    assert config.smtp.sender == "a@b.nl" and config.smtp.port == 2525
    shown = config.as_toml()
    assert "geheim" not in shown and "s3cret" not in shown and "********" in shown
    assert 'from = "a@b.nl"' in shown


def test_config_named_by_environment(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[register]\npath = "r.csv"\n')
    assert load(None, {"INTAKE_CONFIG": str(path)}).register.path == "r.csv"


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[imap]\nport = 'veel'\n", {}, "not a valid int"),
        ("[imap]\nhostname = 'x'\n", {}, "unknown key"),
        ("[nope]\nx = 1\n", {}, "unknown section"),
        ("[smtp]\nsecurity = 'tls'\n", {}, "ssl, starttls or none"),
        ("", {"INTAKE_LEDGER_ADDRESS": "x"}, "unknown key"),
        ("[imap\n", {}, "not valid TOML"),
    ],
)
def test_bad_configuration_says_which_key(tmp_path, text, env, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load(path, env)


def test_database_password_is_masked():
    config = load(None, {"INTAKE_LEDGER_URL": "postgresql://intake:geheim@db/intake"})
    assert "geheim" not in config.as_toml()


def test_trusted_proxies_from_file_and_environment(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[desk]\ntrusted_proxies = ["10.1.2.3", "10.8.0.0/16"]\n')
    assert load(path, {}).desk.trusted_proxies == ("10.1.2.3", "10.8.0.0/16")
    env = {"INTAKE_DESK_TRUSTED_PROXIES": "192.0.2.1, ::1"}
    assert load(None, env).desk.trusted_proxies == ("192.0.2.1", "::1")
    assert load(None, {}).desk.trusted_proxies == ("127.0.0.1", "::1")
    with pytest.raises(ConfigError, match="trusted_proxies: 'proxy"):
        load(None, {"INTAKE_DESK_TRUSTED_PROXIES": "proxy.example.nl"})
